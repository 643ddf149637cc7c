# error: prog.s: function 'prog': insn 2 'ldxb %r0, [%r2]': R2 invalid mem access 'scalar'
# The kernel refuses the load outright.
.program prog xdp
add %r1, 0
ldxw %r2, [%r1+0]
ldxb %r0, [%r2]
exit
