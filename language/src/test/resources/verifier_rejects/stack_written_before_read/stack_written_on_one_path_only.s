# error: prog.s: function 'prog': insn 2 'ldxdw %r0, [%r10-8]': reads stack byte r10-8, which is not written on every path
# unprivileged
jeq %r2, 0, +1
stdw [%r10-8], 1
ldxdw %r0, [%r10-8]
exit
