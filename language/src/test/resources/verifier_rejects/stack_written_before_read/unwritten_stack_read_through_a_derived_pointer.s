# error: prog.s: function 'prog': insn 2 'ldxw %r0, [%r2+4]': reads stack byte r10-12, which is not written on every path
# unprivileged
mov %r2, %r10
add %r2, -16
ldxw %r0, [%r2+4]
exit
