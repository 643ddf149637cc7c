# error: prog.s: function 'func@5': insn 5 'exit': r0 is read before it is written on every path
lddw %r1, func:+4
call local +2
mov %r0, 0
exit
exit
