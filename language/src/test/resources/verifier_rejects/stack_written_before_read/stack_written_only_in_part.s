# error: prog.s: function 'prog': insn 1 'ldxdw %r0, [%r10-8]': reads stack byte r10-4, which is not written on every path
# unprivileged
stw [%r10-8], 0
ldxdw %r0, [%r10-8]
exit
