# set then get: tunnel_id, tos and ttl come back (id << 16 | ttl << 8 | tos)
# kernel r0: 0x12344003
.program main tc
    mov %r6, %r1
    stdw [%r10-48], 0
    stdw [%r10-40], 0
    stdw [%r10-32], 0
    stdw [%r10-24], 0
    stdw [%r10-16], 0
    stdw [%r10-8], 0
    stw [%r10-48], 0x1234
    stw [%r10-44], 0x0a000002
    stb [%r10-28], 3
    stb [%r10-27], 64
    stw [%r10-20], 0x0a000001
    mov %r1, %r6
    mov %r2, %r10
    add %r2, -48
    mov %r3, 44
    mov %r4, 0
    call skb_set_tunnel_key
    mov %r1, %r6
    mov %r2, %r10
    add %r2, -96
    mov %r3, 44
    mov %r4, 0
    call skb_get_tunnel_key
    ldxw %r0, [%r10-96]
    lsh %r0, 16
    ldxb %r1, [%r10-75]
    lsh %r1, 8
    or %r0, %r1
    ldxb %r1, [%r10-76]
    or %r0, %r1
    exit
