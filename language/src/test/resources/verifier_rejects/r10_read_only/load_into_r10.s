# error: prog.s: function 'prog': insn 0 'ldxdw %r10, [%r1]': writes r10, the read-only frame pointer
ldxdw %r10, [%r1]
mov %r0, 0
exit
