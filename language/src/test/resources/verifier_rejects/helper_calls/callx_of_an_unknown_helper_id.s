# error: prog.s: function 'prog': insn 1 'call %r2': calls unknown helper 999 (from r2)
mov %r2, 999
call %r2
mov %r0, 0
exit
