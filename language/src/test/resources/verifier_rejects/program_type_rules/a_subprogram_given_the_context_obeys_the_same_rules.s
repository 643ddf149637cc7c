# error: prog.s: function 'read': insn 2 'ldxw %r0, [%r1+76]': context access at offset 76 (4 bytes): socket_filter programs may not read __sk_buff.data
.program prog socket
call local read
exit
read:
ldxw %r0, [%r1+76]
exit
