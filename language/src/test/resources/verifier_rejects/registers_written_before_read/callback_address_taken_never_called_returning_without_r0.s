# error: prog.s: function 'func@4': insn 4 'exit': r0 is read before it is written on every path
lddw %r1, func:+3
mov %r0, 0
exit
exit
