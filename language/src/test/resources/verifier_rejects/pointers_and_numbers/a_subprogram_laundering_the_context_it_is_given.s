# error: prog.s: function 'sub': insn 3 'ldxw %r0, [%r1]': R1 invalid mem access 'scalar'
call local sub
exit
sub:
and %r1, -1
ldxw %r0, [%r1]
exit
