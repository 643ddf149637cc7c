# error: prog.s: function 'g': insn 4 'call local -3': recursive call: f -> g -> f
call local f
exit
f:
call local g
exit
g:
call local f
exit
