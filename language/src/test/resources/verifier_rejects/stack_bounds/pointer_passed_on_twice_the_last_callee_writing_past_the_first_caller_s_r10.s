# error: prog.s: function 'prog': insn 2 'call local +2': passes r1 (r10-16) to 'mid', which reaches r10+0 to r10+8 through it: outside the stack frame
mov %r1, %r10
add %r1, -16
call local mid
mov %r0, 0
exit
mid:
add %r1, 8
call local leaf
mov %r0, 0
exit
leaf:
stdw [%r1+8], 0
mov %r0, 0
exit
