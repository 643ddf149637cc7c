# error: prog.s: function 'prog': insn 2 'mov %r0, 1': unreachable instruction
mov %r0, 0
ja +1
mov %r0, 1
exit
