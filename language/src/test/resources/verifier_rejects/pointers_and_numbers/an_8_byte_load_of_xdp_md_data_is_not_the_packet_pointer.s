# error: prog.s: function 'prog': insn 1 'ldxb %r0, [%r2]': R2 invalid mem access 'scalar'
# The kernel allows only 4-byte loads.
.program prog xdp
ldxdw %r2, [%r1+0]
ldxb %r0, [%r2]
exit
