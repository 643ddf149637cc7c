# error: prog.s: function 'prog': insn 1 'ldxw %r0, [%r10-6]': misaligned stack access: 4 bytes at r10-6, not a multiple of 4
stdw [%r10-8], 0
ldxw %r0, [%r10-6]
exit
