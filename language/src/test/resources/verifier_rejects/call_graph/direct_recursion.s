# error: prog.s: function 'f': insn 2 'call local -1': recursive call: f -> f
call local f
exit
f:
call local f
exit
