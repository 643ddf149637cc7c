# bpf_skb_change_tail below the network header (14 bytes): -EINVAL (r0: result<<16 | skb->len)
# kernel r0: 0xffea0036
.program main tc
    mov %r6, %r1
    mov %r2, 13
    mov %r3, 0
    call skb_change_tail
    lsh %r0, 16
    ldxw %r1, [%r6+0]
    and %r1, 0xffff
    or %r0, %r1
    exit
