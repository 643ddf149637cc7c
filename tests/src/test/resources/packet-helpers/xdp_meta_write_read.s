# metadata written and read through data_meta after bpf_xdp_adjust_meta
# kernel r0: 0x5a5a
.program main xdp
    mov %r6, %r1
    mov %r2, -8
    call xdp_adjust_meta
    jne %r0, 0, fail
    ldxw %r2, [%r6+8]
    ldxw %r3, [%r6+0]
    mov %r4, %r2
    add %r4, 8
    jgt %r4, %r3, fail
    stdw [%r2+0], 0x5a5a
    ldxw %r0, [%r2+0]
    exit
fail:
    mov %r0, 99
    exit
