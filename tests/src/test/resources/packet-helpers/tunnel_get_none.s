# bpf_skb_get_tunnel_key with no tunnel metadata: -EINVAL
# kernel r0: 0xffffffea
.program main tc
    mov %r6, %r1
    mov %r1, %r6
    mov %r2, %r10
    add %r2, -96
    mov %r3, 44
    mov %r4, 0
    call skb_get_tunnel_key
    exit
