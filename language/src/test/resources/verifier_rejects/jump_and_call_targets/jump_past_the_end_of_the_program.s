# error: prog.s: function 'prog': insn 1 'ja +5': jumps to insn 7, outside the program
mov %r0, 0
ja +5
exit
