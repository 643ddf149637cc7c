# error: prog.s: function 'prog': insn 3 'stb [%r2-8], 0': stack access through r2 with an unbounded offset
ldxdw %r3, [%r1]
mov %r2, %r10
add %r2, %r3
stb [%r2-8], 0
mov %r0, 0
exit
