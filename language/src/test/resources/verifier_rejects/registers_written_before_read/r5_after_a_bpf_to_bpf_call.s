# error: prog.s: function 'prog': insn 2 'mov %r0, %r5': r5 is read after a call clobbered it (calls clobber r1-r5) on some path
mov %r5, 5
call local sub
mov %r0, %r5
exit
sub:
mov %r0, 0
exit
