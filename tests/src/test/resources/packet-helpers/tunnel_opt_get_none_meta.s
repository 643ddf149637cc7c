# bpf_skb_get_tunnel_opt with no tunnel metadata: -ENOENT
# kernel r0: 0xfffffffe
.program main tc
    mov %r6, %r1
    mov %r1, %r6
    mov %r2, %r10
    add %r2, -160
    mov %r3, 16
    call skb_get_tunnel_opt
    exit
