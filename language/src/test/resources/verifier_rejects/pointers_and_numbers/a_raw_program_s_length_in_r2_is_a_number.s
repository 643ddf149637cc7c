# error: prog.s: function 'prog': insn 0 'ldxb %r0, [%r2]': R2 invalid mem access 'scalar'
ldxb %r0, [%r2]
exit
