# bpf_skb_store_bytes of 2 bytes over the IPv4 checksum
# kernel r0: 0x2211
.program main tc
    mov %r6, %r1
    stw [%r10-8], 0x44332211
    mov %r1, %r6
    mov %r2, 24
    mov %r3, %r10
    add %r3, -8
    mov %r4, 2
    mov %r5, 0
    call skb_store_bytes

    mov %r7, %r0
    mov %r1, %r6
    mov %r2, 24
    mov %r3, %r10
    add %r3, -16
    mov %r4, 2
    call skb_load_bytes
    ldxh %r0, [%r10-16]
    lsh %r7, 16
    or %r0, %r7
    exit
