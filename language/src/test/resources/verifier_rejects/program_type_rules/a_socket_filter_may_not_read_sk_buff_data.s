# error: prog.s: function 'prog': insn 0 'ldxw %r2, [%r1+76]': context access at offset 76 (4 bytes): socket_filter programs may not read __sk_buff.data
.program prog socket
ldxw %r2, [%r1+76]
mov %r0, 0
exit
