# bpf_skb_load_bytes_relative from the network header: the IPv4 protocol
# kernel r0: 0x60000
.program main tc
    mov %r6, %r1
    mov %r1, %r6
    mov %r2, 9
    mov %r3, %r10
    add %r3, -8
    mov %r4, 1
    mov %r5, 1
    call skb_load_bytes_relative
    ldxb %r1, [%r10-8]
    lsh %r0, 8
    and %r0, 0xffff
    or %r0, %r1

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
