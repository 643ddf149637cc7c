# error: prog.s: function 'prog': insn 2 'call %r3': helper xdp_adjust_head is not available to socket_filter programs (called through r3)
.program prog socket
mov %r2, 4
mov %r3, 44
call %r3
mov %r0, 0
exit
