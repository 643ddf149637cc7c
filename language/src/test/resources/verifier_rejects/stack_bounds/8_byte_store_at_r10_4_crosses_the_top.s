# error: prog.s: function 'prog': insn 0 'stxdw [%r10-4], %r1': stack access out of bounds (frame is 512 bytes)
stxdw [%r10-4], %r1
mov %r0, 0
exit
