# error: prog.s: function 'prog': insn 0 'ldxh %r2, [%r1+1]': context access at offset 1 (2 bytes): not aligned to its size
.program prog tc
ldxh %r2, [%r1+1]
mov %r0, 0
exit
