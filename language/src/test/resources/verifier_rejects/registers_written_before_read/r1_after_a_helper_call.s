# error: prog.s: function 'prog': insn 1 'mov %r0, %r1': r1 is read after a call clobbered it (calls clobber r1-r5) on some path
call ktime_get_ns
mov %r0, %r1
exit
