# error: prog.s: function 'prog': insn 2 'stw [%r2], 0': stack access out of bounds (frame is 512 bytes)
mov %r2, %r10
add %r2, -516
stw [%r2], 0
mov %r0, 0
exit
