# error: prog.s: function 'prog': insn 1 'lock add [%r1+48], %r2': context access at offset 48 (8 bytes): atomic operations on the context are not allowed
.program prog tc
mov %r2, 1
lock add [%r1+48], %r2
mov %r0, 0
exit
