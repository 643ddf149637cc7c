# error: prog.s: function 'prog': insn 2 'ldindh %r2, 12': LD_ABS and LD_IND are only for socket and tc programs (they read an sk_buff's packet), not raw programs
mov %r6, %r1
mov %r2, 0
ldindh %r2, 12
exit
