# error: prog.s: function 'prog': insn 0 'ldxw %r2, [%r1+20]': context access at offset 20 (4 bytes): egress_ifindex is only for devmap programs
.program prog xdp
ldxw %r2, [%r1+20]
mov %r0, 0
exit
