# error: prog.s: function 'prog': insn 0 'call 7': calls unknown helper 7
# helpers: 5
call 7
exit
