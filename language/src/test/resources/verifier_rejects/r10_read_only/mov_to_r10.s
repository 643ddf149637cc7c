# error: prog.s: function 'prog': insn 0 'mov %r10, 0': writes r10, the read-only frame pointer
mov %r10, 0
exit
