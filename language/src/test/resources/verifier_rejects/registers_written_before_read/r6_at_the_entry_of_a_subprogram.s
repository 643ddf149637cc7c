# error: prog.s: function 'sub': insn 3 'mov %r0, %r6': r6 is read before it is written on every path
mov %r6, 1
call local sub
exit
sub:
mov %r0, %r6
exit
