# tc bpf_redirect_neigh with a flag (none is defined): TC_ACT_SHOT
# kernel r0: 0x2
.program main tc
    mov %r1, 7
    mov %r2, 0
    mov %r3, 0
    mov %r4, 1
    call redirect_neigh
    exit
