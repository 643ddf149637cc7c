# error: prog.s: function 'prog': insn 0 'stb [%r10], 1': stack access out of bounds (frame is 512 bytes)
stb [%r10], 1
mov %r0, 0
exit
