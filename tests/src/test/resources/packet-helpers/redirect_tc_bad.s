# tc bpf_redirect with an unknown flag: TC_ACT_SHOT
# kernel r0: 0x20000
.program main tc
    mov %r6, %r1
    mov %r1, 7
    mov %r2, 2
    call redirect

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
