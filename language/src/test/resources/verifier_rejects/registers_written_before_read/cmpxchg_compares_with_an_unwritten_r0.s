# error: prog.s: function 'prog': insn 1 'lock cmpxchg [%r10-8], %r1': r0 is read before it is written on every path
stdw [%r10-8], 0
lock cmpxchg [%r10-8], %r1
exit
