# error: prog.s: function 'prog': insn 0 'mov %r0, 0': execution falls through past the end of function 'prog'
mov %r0, 0
