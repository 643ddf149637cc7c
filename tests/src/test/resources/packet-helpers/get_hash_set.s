# bpf_get_hash_recalc returns the hash bpf_set_hash set
# kernel r0: 0xef120000
.program main tc
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, 0xabcdef12
    call set_hash
    mov %r1, %r6
    call get_hash_recalc

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
