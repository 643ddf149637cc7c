# bpf_l3_csum_replace of size 3: -EINVAL
# kernel r0: 0xffea0000
.program main tc
    mov %r6, %r1
    mov %r1, %r6
    mov %r2, 24
    mov %r3, 256
    mov %r4, 2304
    mov %r5, 3
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
