# bpf_set_hash writes skb->hash
# kernel r0: 0x77880000
.program main tc
    mov %r6, %r1
    mov %r1, %r6
    mov %r2, 1432778632
    call set_hash
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
