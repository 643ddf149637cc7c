# bpf_skb_change_head then bpf_skb_change_tail: new bytes written through the new data pointer, the network header found 4 bytes later, the packet handed back from its new start
# kernel r0: 0x3206
# kernel packet: 4433221100000000000200000000000108004500002800000000400600000a0000010a00000230390017000000000000000000000000
.program main tc
    mov %r6, %r1
    mov %r2, 4
    mov %r3, 0
    call skb_change_head
    mov %r1, %r6
    mov %r2, 50
    mov %r3, 0
    call skb_change_tail
    ldxw %r2, [%r6+76]
    ldxw %r3, [%r6+80]
    mov %r4, %r2
    add %r4, 20
    jgt %r4, %r3, fail
    stw [%r2+0], 0x11223344
    mov %r1, %r6
    mov %r2, 9
    mov %r3, %r10
    add %r3, -8
    mov %r4, 1
    mov %r5, 1
    call skb_load_bytes_relative
    ldxb %r0, [%r10-8]
    ldxw %r1, [%r6+0]
    lsh %r1, 8
    or %r0, %r1
    exit
fail:
    mov %r0, 99
    exit
