# bpf_l4_csum_replace accepts BPF_F_IPV6
# kernel r0: 0xedcb
.program main tc
    mov %r6, %r1
    mov %r1, %r6
    mov %r2, 50
    mov %r3, 0
    mov %r4, 4660
    mov %r5, 128
    call l4_csum_replace

    mov %r7, %r0
    mov %r1, %r6
    mov %r2, 50
    mov %r3, %r10
    add %r3, -16
    mov %r4, 2
    call skb_load_bytes
    ldxh %r0, [%r10-16]
    lsh %r7, 16
    or %r0, %r7
    exit
