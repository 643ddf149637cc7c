# bpf_skb_store_bytes with BPF_F_INVALIDATE_HASH clears skb->hash
# kernel r0: 0x2211
.program main tc
    mov %r6, %r1
    mov %r1, %r6
    mov %r2, 119
    call set_hash
    stw [%r10-8], 0x44332211
    mov %r1, %r6
    mov %r2, 24
    mov %r3, %r10
    add %r3, -8
    mov %r4, 2
    mov %r5, 2
    call skb_store_bytes
    ldxw %r0, [%r6+68]

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
