# error: prog.s: function 'prog': insn 3 'ldxb %r0, [%r3]': R3 invalid mem access 'scalar'
.program prog xdp
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
sub %r3, %r2
ldxb %r0, [%r3]
exit
