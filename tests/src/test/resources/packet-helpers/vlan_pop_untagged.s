# bpf_skb_vlan_pop without any tag: nothing to do (r0: vlan_proto<<16 | vlan_present<<15 | vlan_tci<<8 | skb->len)
# kernel r0: 0x36
.program main tc
    mov %r6, %r1
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
