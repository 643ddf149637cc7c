# bpf_xdp_adjust_head moves the metadata with the packet's start
# kernel r0: 0x41234
.program main xdp
    mov %r6, %r1
    mov %r2, -4
    call xdp_adjust_meta
    ldxw %r2, [%r6+8]
    ldxw %r3, [%r6+0]
    mov %r4, %r2
    add %r4, 4
    jgt %r4, %r3, fail
    stw [%r2+0], 0x1234
    mov %r1, %r6
    mov %r2, 14
    call xdp_adjust_head
    ldxw %r2, [%r6+8]
    ldxw %r3, [%r6+0]
    mov %r4, %r2
    add %r4, 4
    jgt %r4, %r3, fail
    ldxw %r0, [%r2+0]
    mov %r5, %r3
    sub %r5, %r2
    lsh %r5, 16
    or %r0, %r5
    exit
fail:
    mov %r0, 99
    exit
