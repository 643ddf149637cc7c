# bpf_skb_change_tail grows the packet by 6 zero bytes
# kernel r0: 0x3c
.program main tc
    mov %r6, %r1
    mov %r2, 60
    mov %r3, 0
    call skb_change_tail
    lsh %r0, 16
    ldxw %r1, [%r6+0]
    and %r1, 0xffff
    or %r0, %r1
    exit
