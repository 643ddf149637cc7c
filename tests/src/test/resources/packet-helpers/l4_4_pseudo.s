# bpf_l4_csum_replace of a 4-byte field with BPF_F_PSEUDO_HDR
# kernel r0: 0xf7ff
.program main tc
    mov %r6, %r1
    mov %r1, %r6
    mov %r2, 50
    mov %r3, 16777226
    mov %r4, 150994954
    mov %r5, 20
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
