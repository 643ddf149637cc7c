# error: prog.s: function 'prog': insn 0 'stw [%r1+8], 1': context access at offset 8 (4 bytes): socket_filter programs may not write __sk_buff.mark
.program prog socket
stw [%r1+8], 1
mov %r0, 0
exit
