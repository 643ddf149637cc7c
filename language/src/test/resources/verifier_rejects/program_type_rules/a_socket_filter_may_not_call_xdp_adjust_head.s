# error: prog.s: function 'prog': insn 1 'call 44': helper xdp_adjust_head is not available to socket_filter programs
.program prog socket
mov %r2, 4
call xdp_adjust_head
exit
