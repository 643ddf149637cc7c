# bpf_xdp_adjust_tail by -20: the packet handed back ends 20 bytes early (zeros after, as the kernel's data_out)
# kernel r0: 0x0
# kernel packet: 00000000000200000000000108004500002800000000400600000a0000010a0000020000000000000000000000000000000000000000
.program main xdp
    mov %r6, %r1
    mov %r2, -20
    call xdp_adjust_tail
    exit
