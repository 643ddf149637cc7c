# error: prog.s: function 'a': insn 3 'mov %r0, 1': execution falls through past the end of function 'a'
call local a
call local b
exit
a:
mov %r0, 1
b:
mov %r0, 2
exit
