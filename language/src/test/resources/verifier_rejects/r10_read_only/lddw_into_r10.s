# error: prog.s: function 'prog': insn 0 'lddw %r10, 0x1': writes r10, the read-only frame pointer
lddw %r10, 0x1
mov %r0, 0
exit
