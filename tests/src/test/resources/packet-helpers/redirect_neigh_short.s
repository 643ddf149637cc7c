# tc bpf_redirect_neigh with params shorter than struct bpf_redir_neigh (16 of 20 bytes): TC_ACT_SHOT
# kernel r0: 0x2
.program main tc
    stdw [%r10-24], 0
    stdw [%r10-16], 0
    stdw [%r10-8], 0
    mov %r1, 7
    mov %r2, %r10
    add %r2, -24
    mov %r3, 16
    mov %r4, 0
    call redirect_neigh
    exit
