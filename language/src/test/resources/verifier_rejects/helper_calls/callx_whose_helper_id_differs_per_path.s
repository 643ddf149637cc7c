# error: prog.s: function 'prog': insn 3 'call %r2': r2 does not hold the same helper id on every path
mov %r2, 5
jeq %r1, 0, +1
mov %r2, 7
call %r2
mov %r0, 0
exit
