# bpf_csum_diff of 3 bytes to 4: sizes need not be multiples of 4 (Linux 6.13+)
# kernel r0: 0x200
.program main tc
    mov %r6, %r1
    stdw [%r10-40], 0x0100000a
    stdw [%r10-32], 0x0200000a
    stdw [%r10-24], 0x7fff1234
    mov %r1, %r10
    add %r1, -40
    mov %r2, 3
    mov %r3, %r10
    add %r3, -32
    mov %r4, 4
    lddw %r5, 0
    call csum_diff

    exit
