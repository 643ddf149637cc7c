# IPv6 metadata read in the 8-byte layout (IPv4 only): -EINVAL
# kernel r0: 0xffffffea
.program main tc
    mov %r6, %r1
    stdw [%r10-48], 0
    stdw [%r10-40], 0
    stdw [%r10-32], 0
    stdw [%r10-24], 0
    stdw [%r10-16], 0
    stdw [%r10-8], 0
    stw [%r10-48], 7
    stw [%r10-44], 0x80fe
    stw [%r10-32], 0x02000000
    stb [%r10-27], 9
    stw [%r10-24], 0x123456
    stw [%r10-20], 0x80fe
    stw [%r10-8], 0x01000000
    mov %r1, %r6
    mov %r2, %r10
    add %r2, -48
    mov %r3, 44
    mov %r4, 1
    call skb_set_tunnel_key
    mov %r1, %r6
    mov %r2, %r10
    add %r2, -96
    mov %r3, 8
    mov %r4, 1
    call skb_get_tunnel_key
    exit
