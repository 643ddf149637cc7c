# error: prog.s: function 'prog': insn 1 'ldxdw %r0, [%r1]': R1 invalid mem access 'scalar'
mov %r1, 4096
ldxdw %r0, [%r1]
exit
