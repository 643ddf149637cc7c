# error: prog.s: function 'prog': insn 0 'exit': r0 is read before it is written on every path
exit
