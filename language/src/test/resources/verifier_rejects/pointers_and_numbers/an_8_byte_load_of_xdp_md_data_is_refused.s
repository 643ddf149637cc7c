# error: prog.s: function 'prog': insn 0 'ldxdw %r2, [%r1]': context access at offset 0 (8 bytes): xdp_md fields are read whole, as 4-byte loads
# The kernel allows only 4-byte loads of the context.
.program prog xdp
ldxdw %r2, [%r1+0]
ldxb %r0, [%r2]
exit
