# error: prog.s: function 'prog': insn 0 'ja -2': jumps to insn -1, outside the program
ja -2
exit
