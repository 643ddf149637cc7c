# bpf_csum_diff of 8 bytes to 16, with a seed
# kernel r0: 0x9324
.program main tc
    mov %r6, %r1
    stdw [%r10-40], 0x0100000a
    stdw [%r10-32], 0x0200000a
    stdw [%r10-24], 0x7fff1234
    mov %r1, %r10
    add %r1, -40
    mov %r2, 8
    mov %r3, %r10
    add %r3, -32
    mov %r4, 16
    lddw %r5, 4294967280
    call csum_diff

    exit
