# bpf_skb_change_tail past BPF_SKB_MAX_LEN: -EINVAL
# kernel r0: 0xffea0036
.program main tc
    mov %r6, %r1
    mov %r2, 16065
    mov %r3, 0
    call skb_change_tail
    lsh %r0, 16
    ldxw %r1, [%r6+0]
    and %r1, 0xffff
    or %r0, %r1
    exit
