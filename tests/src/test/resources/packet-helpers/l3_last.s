# bpf_l3_csum_replace on the packet's last 2 bytes
# kernel r0: 0xf7ff
.program main tc
    mov %r6, %r1
    mov %r1, %r6
    mov %r2, 52
    mov %r3, 256
    mov %r4, 2304
    mov %r5, 2
    call l3_csum_replace

    mov %r7, %r0
    mov %r1, %r6
    mov %r2, 52
    mov %r3, %r10
    add %r3, -16
    mov %r4, 2
    call skb_load_bytes
    ldxh %r0, [%r10-16]
    lsh %r7, 16
    or %r0, %r7
    exit
