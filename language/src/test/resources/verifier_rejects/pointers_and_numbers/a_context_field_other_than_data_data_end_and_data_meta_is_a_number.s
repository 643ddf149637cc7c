# error: prog.s: function 'prog': insn 1 'ldxb %r0, [%r2]': R2 invalid mem access 'scalar'
.program prog xdp
ldxw %r2, [%r1+12]
ldxb %r0, [%r2]
exit
