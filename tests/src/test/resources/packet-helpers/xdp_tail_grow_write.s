# bytes bpf_xdp_adjust_tail adds are zeroed and writable
# kernel r0: 0x77000000
# kernel packet: 00000000000200000000000108004500002800000000400600000a0000010a00000230390017000000000000000050020000ffff0000
.program main xdp
    mov %r6, %r1
    mov %r2, 6
    call xdp_adjust_tail
    jne %r0, 0, fail
    ldxw %r2, [%r6+0]
    ldxw %r3, [%r6+4]
    mov %r4, %r2
    add %r4, 60
    jgt %r4, %r3, fail
    ldxw %r0, [%r2+54]
    stb [%r2+59], 0x77
    ldxw %r1, [%r2+56]
    add %r0, %r1
    exit
fail:
    mov %r0, 99
    exit
