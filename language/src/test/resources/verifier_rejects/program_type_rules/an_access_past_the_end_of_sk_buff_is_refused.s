# error: prog.s: function 'prog': insn 0 'ldxw %r2, [%r1+192]': context access at offset 192 (4 bytes): outside struct __sk_buff (192 bytes)
.program prog tc
ldxw %r2, [%r1+192]
mov %r0, 0
exit
