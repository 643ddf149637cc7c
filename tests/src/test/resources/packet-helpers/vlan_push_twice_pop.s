# bpf_skb_vlan_pop after two pushes: the packet's tag becomes the one beside it, the packet is as before
# kernel r0: 0x818536
# kernel packet: 00000000000200000000000108004500002800000000400600000a0000010a00000230390017000000000000000050020000ffff0000
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
    call skb_vlan_pop
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
