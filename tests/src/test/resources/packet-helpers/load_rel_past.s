# bpf_skb_load_bytes_relative past the packet end: -EFAULT, destination zeroed
# kernel r0: 0x0
.program main tc
    mov %r6, %r1
    stw [%r10-8], -1
    mov %r1, %r6
    mov %r2, 39
    mov %r3, %r10
    add %r3, -8
    mov %r4, 2
    mov %r5, 1
    call skb_load_bytes_relative
    ldxh %r1, [%r10-8]
    lsh %r0, 16
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
