# bpf_skb_get_tunnel_key with an unknown flag (1 << 1): -EINVAL
# kernel r0: 0xffffffea
.program main tc
    mov %r6, %r1
    stdw [%r10-48], 0
    stdw [%r10-40], 0
    stdw [%r10-32], 0
    stdw [%r10-24], 0
    stdw [%r10-16], 0
    stdw [%r10-8], 0
    stw [%r10-48], 0x1234
    stw [%r10-44], 0x0a000002
    stb [%r10-28], 3
    stb [%r10-27], 64
    stw [%r10-20], 0x0a000001
    mov %r1, %r6
    mov %r2, %r10
    add %r2, -48
    mov %r3, 44
    mov %r4, 0
    call skb_set_tunnel_key
    mov %r1, %r6
    mov %r2, %r10
    add %r2, -96
    mov %r3, 44
    mov %r4, 2
    call skb_get_tunnel_key
    exit
