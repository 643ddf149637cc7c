# error: prog.s: function 'prog': insn 0 'add %r10, -8': writes r10, the read-only frame pointer
add %r10, -8
mov %r0, 0
exit
