# error: prog.s: function 'prog': insn 0 'call local +1': calls insn 2, the second slot of lddw
call local +1
lddw %r0, 0x5
exit
