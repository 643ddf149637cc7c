# error: prog.s: function 'filter': insn 0 'ldabsb 0': r6 is read before it is written on every path
.program filter socket
ldabsb 0
exit
