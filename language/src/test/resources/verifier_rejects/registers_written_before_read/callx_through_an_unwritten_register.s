# error: prog.s: function 'prog': insn 0 'call %r3': r3 is read before it is written on every path
call %r3
exit
