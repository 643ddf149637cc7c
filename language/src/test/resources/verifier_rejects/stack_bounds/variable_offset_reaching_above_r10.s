# error: prog.s: function 'prog': insn 4 'stb [%r2-8], 0': stack access out of bounds (frame is 512 bytes)
ldxb %r3, [%r1]
and %r3, 15
mov %r2, %r10
add %r2, %r3
stb [%r2-8], 0
mov %r0, 0
exit
