# error: prog.s: function 'sub': insn 4 'mov %r0, 1': unreachable instruction
call local sub
exit
sub:
mov %r0, 0
exit
mov %r0, 1
exit
