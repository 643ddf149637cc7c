# error: prog.s: function 'prog': insn 0 'ldxdw %r2, [%r1]': context access at offset 0 (8 bytes): __sk_buff.len is 4 bytes
.program prog tc
ldxdw %r2, [%r1+0]
mov %r0, 0
exit
