# error: prog.s: function 'prog': insn 0 'stb [%r1+8], 1': context access at offset 8 (1 bytes): __sk_buff.mark is written whole, as 4 bytes
.program prog tc
stb [%r1+8], 1
mov %r0, 0
exit
