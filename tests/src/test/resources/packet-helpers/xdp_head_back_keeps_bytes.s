# bpf_xdp_adjust_head forward and back: the uncovered bytes keep what they held (not zeroed)
# kernel r0: 0x8
.program main xdp
    mov %r6, %r1
    mov %r2, 14
    call xdp_adjust_head
    mov %r1, %r6
    mov %r2, -14
    call xdp_adjust_head
    ldxw %r2, [%r6+0]
    ldxw %r3, [%r6+4]
    mov %r4, %r2
    add %r4, 14
    jgt %r4, %r3, fail
    ldxh %r0, [%r2+12]
    exit
fail:
    mov %r0, 99
    exit
