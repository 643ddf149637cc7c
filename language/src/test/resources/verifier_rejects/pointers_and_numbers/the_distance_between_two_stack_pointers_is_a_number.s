# error: prog.s: function 'prog': insn 5 'ldxb %r0, [%r2]': R2 invalid mem access 'scalar'
stdw [%r10-8], 0
mov %r2, %r10
mov %r3, %r10
add %r3, -8
sub %r2, %r3
ldxb %r0, [%r2]
exit
