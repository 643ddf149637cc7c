# bpf_l3_csum_replace of size 0 with a from value: -EINVAL
# kernel r0: 0xffea0000
.program main tc
    mov %r6, %r1
    mov %r1, %r6
    mov %r2, 24
    mov %r3, 1
    mov %r4, 4660
    mov %r5, 0
    call l3_csum_replace

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
