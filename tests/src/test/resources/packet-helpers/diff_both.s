# bpf_csum_diff of 4 bytes to 4 bytes, seed 0, folded to 16 bits
# kernel r0: 0x100
.program main tc
    mov %r6, %r1
    stdw [%r10-40], 0x0100000a
    stdw [%r10-32], 0x0200000a
    stdw [%r10-24], 0x7fff1234
    mov %r1, %r10
    add %r1, -40
    mov %r2, 4
    mov %r3, %r10
    add %r3, -32
    mov %r4, 4
    lddw %r5, 0
    call csum_diff

    exit
