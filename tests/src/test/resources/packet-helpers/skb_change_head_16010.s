# bpf_skb_change_head up to BPF_SKB_MAX_LEN
# kernel r0: 0x3ec0
.program main tc
    mov %r6, %r1
    mov %r2, 16010
    mov %r3, 0
    call skb_change_head
    lsh %r0, 16
    ldxw %r1, [%r6+0]
    and %r1, 0xffff
    or %r0, %r1
    exit
