# after a tag went into the packet, skb->protocol is 802.1Q and the network header is still 14 bytes in (at the inserted tag, as the kernel moves it)
# kernel r0: 0x8100
.program main tc
    mov %r6, %r1
    mov %r1, %r6
    mov %r2, 0x0081
    mov %r3, 5
    call skb_vlan_push
    jne %r0, 0, fail
    mov %r1, %r6
    mov %r2, 0xa888
    mov %r3, 7
    call skb_vlan_push
    jne %r0, 0, fail
    mov %r1, %r6
    mov %r2, 9
    mov %r3, %r10
    add %r3, -8
    mov %r4, 1
    mov %r5, 1
    call skb_load_bytes_relative
    ldxb %r0, [%r10-8]
    ldxw %r1, [%r6+16]
    lsh %r1, 8
    or %r0, %r1
    exit
fail:
    mov %r0, 99
    exit
