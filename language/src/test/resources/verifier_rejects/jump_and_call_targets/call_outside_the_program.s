# error: prog.s: function 'prog': insn 0 'call local +10': calls insn 11, outside the program
call local +10
exit
