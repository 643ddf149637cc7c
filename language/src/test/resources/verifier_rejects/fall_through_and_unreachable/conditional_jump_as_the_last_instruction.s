# error: prog.s: function 'prog': insn 1 'jeq %r1, 0, -2': execution falls through past the end of function 'prog'
mov %r0, 0
jeq %r1, 0, -2
