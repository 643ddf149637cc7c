# error: prog.s: function 'prog': insn 0 'ldxdw %r2, [%r10-520]': stack access out of bounds (frame is 512 bytes)
ldxdw %r2, [%r10-520]
mov %r0, 0
exit
