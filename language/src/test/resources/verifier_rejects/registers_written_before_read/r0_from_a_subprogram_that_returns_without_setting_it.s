# error: prog.s: function 'prog': insn 1 'exit': r0 is read after a call to a function that does not set r0 on every path
call local sub
exit
sub:
exit
