# bpf_xdp_adjust_meta by -32
# kernel r0: 0x3620
.program main xdp
    mov %r6, %r1
    mov %r2, -32
    call 54
    mov %r7, %r0
    lsh %r7, 16
    ldxw %r2, [%r6+0]
    ldxw %r3, [%r6+4]
    ldxw %r4, [%r6+8]
    mov %r0, %r3
    sub %r0, %r2
    and %r0, 0xfff
    lsh %r0, 8
    mov %r5, %r2
    sub %r5, %r4
    and %r5, 0xff
    or %r0, %r5
    and %r0, 0xfffff
    or %r0, %r7
    exit
