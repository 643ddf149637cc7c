# bpf_skb_vlan_push of an unknown protocol pushes an 802.1Q tag
# kernel r0: 0x818936
.program main tc
    mov %r6, %r1
    mov %r1, %r6
    mov %r2, 0x1234
    mov %r3, 9
    call skb_vlan_push
    jne %r0, 0, fail
    ldxw %r2, [%r6+28]
    lsh %r2, 16
    ldxw %r3, [%r6+20]
    lsh %r3, 15
    or %r2, %r3
    ldxw %r3, [%r6+24]
    and %r3, 0x7f
    lsh %r3, 8
    or %r2, %r3
    ldxw %r3, [%r6+0]
    and %r3, 0xff
    or %r2, %r3
    ldxw %r3, [%r6+16]
    mov %r0, %r2
    exit
fail:
    mov %r0, 99
    exit
