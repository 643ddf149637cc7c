# error: prog.s: function 'prog': insn 0 'mov %r0, %r3': r3 is read before it is written on every path
mov %r0, %r3
exit
