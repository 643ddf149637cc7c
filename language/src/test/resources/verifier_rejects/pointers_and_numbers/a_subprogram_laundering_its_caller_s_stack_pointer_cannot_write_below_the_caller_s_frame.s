# error: prog.s: function 'leaf': insn 21 'stdw [%r1-8], 1000': R1 invalid mem access 'scalar'
mov %r6, 11
mov %r7, 22
mov %r8, 33
mov %r9, 44
call local mid
mov %r0, %r6
add %r0, %r7
add %r0, %r8
add %r0, %r9
exit
mid:
mov %r6, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
stdw [%r10-8], 0
mov %r1, %r10
add %r1, -8
call local leaf
mov %r0, 0
exit
leaf:
or %r1, 0
stdw [%r1-8], 1000
stdw [%r1-16], 2000
stdw [%r1-24], 3000
stdw [%r1-32], 4000
mov %r0, 0
exit
