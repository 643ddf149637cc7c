# error: prog.s: function 'prog': insn 0 'stw [%r1+12], 0': context access at offset 12 (4 bytes): xdp_md is read-only
.program prog xdp
stw [%r1+12], 0
mov %r0, 0
exit
