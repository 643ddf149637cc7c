# error: prog.s: function 'prog': insn 4 'call 26': helper skb_load_bytes is not available to xdp programs
.program prog xdp
mov %r2, 0
mov %r3, %r10
add %r3, -8
mov %r4, 8
call skb_load_bytes
exit
