# bpf_l4_csum_replace of a 2-byte field (32-bit arithmetic)
# kernel r0: 0x86e0
.program main tc
    mov %r6, %r1
    mov %r1, %r6
    mov %r2, 50
    mov %r3, 5888
    mov %r4, 36895
    mov %r5, 2
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
