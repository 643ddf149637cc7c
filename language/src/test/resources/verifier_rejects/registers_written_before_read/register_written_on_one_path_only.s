# error: prog.s: function 'prog': insn 2 'exit': r0 is read before it is written on every path
jeq %r1, 0, +1
mov %r0, 1
exit
