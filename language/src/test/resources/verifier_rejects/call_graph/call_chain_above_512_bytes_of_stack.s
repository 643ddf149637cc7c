# error: prog.s: function 'prog': insn 1 'call local +1': call chain prog -> sub needs 544 bytes of stack (at most 512, each frame rounded up to 32)
stdw [%r10-256], 0
call local sub
exit
sub:
stdw [%r10-264], 0
mov %r0, 0
exit
