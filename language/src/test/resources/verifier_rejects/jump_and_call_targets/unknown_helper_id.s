# error: prog.s: function 'prog': insn 0 'call 999': calls unknown helper 999
call 999
exit
