# error: prog.s: function 'filter': insn 0 'mov %r0, %r2': r2 is read before it is written on every path
.program filter socket
mov %r0, %r2
exit
