# error: prog.s: function 'prog': insn 0 'ldxdw %r0, [%r10-8]': reads stack byte r10-8, which is not written on every path
# unprivileged
ldxdw %r0, [%r10-8]
exit
