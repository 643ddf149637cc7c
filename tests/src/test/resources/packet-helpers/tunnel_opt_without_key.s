# bpf_skb_set_tunnel_opt without bpf_skb_set_tunnel_key first: -EINVAL
# kernel r0: 0xffffffea
.program main tc
    mov %r6, %r1
    stw [%r10-120], 0x05060708
    stw [%r10-116], 0x01020304
    mov %r1, %r6
    mov %r2, %r10
    add %r2, -120
    mov %r3, 8
    call skb_set_tunnel_opt
    exit
