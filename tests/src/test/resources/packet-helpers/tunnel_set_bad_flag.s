# bpf_skb_set_tunnel_key with an unknown flag (1 << 5): -EINVAL
# kernel r0: 0xffffffea
.program main tc
    mov %r6, %r1
    stdw [%r10-48], 0
    stdw [%r10-40], 0
    stdw [%r10-32], 0
    stdw [%r10-24], 0
    stdw [%r10-16], 0
    stdw [%r10-8], 0
    mov %r1, %r6
    mov %r2, %r10
    add %r2, -48
    mov %r3, 44
    mov %r4, 32
    call skb_set_tunnel_key
    exit
