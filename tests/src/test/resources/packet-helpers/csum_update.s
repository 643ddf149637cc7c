# bpf_csum_update on a CHECKSUM_NONE skb: -ENOTSUPP (524)
# kernel r0: 0xfdf40000
.program main tc
    mov %r6, %r1
    mov %r1, %r6
    mov %r2, 4660
    call csum_update

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
