# error: prog.s: function 'prog': insn 1 'ldabsb 12': LD_ABS and LD_IND are only for socket and tc programs (they read an sk_buff's packet), not xdp programs
.program prog xdp
mov %r6, %r1
ldabsb 12
exit
