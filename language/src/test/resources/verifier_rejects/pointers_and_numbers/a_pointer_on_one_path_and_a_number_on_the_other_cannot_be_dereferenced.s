# error: prog.s: function 'prog': insn 3 'ldxb %r0, [%r2]': R2 invalid mem access 'scalar'
mov %r2, %r1
jeq %r1, 0, +1
mov %r2, 64
ldxb %r0, [%r2]
exit
