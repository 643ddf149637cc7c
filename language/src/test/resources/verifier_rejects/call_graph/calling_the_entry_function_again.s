# error: prog.s: function 'sub': insn 2 'call local -3': recursive call: prog -> sub -> prog
call local sub
exit
sub:
call local -3
exit
