# error: prog.s: function 'prog': insn 0 'lddw %r1, func:+20': takes the address of insn 21, outside the program
lddw %r1, func:+20
mov %r0, 0
exit
