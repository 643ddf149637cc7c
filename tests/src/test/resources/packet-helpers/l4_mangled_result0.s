# bpf_l4_csum_replace with BPF_F_MARK_MANGLED_0: a result of 0 becomes 0xffff
# kernel r0: 0xffff
.program main tc
    mov %r6, %r1
    mov %r1, %r6
    mov %r2, 52
    mov %r3, 65535
    mov %r4, 0
    mov %r5, 98
    call l4_csum_replace

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
