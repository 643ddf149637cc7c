# tc bpf_redirect_neigh without a next hop: TC_ACT_REDIRECT
# kernel r0: 0x7
.program main tc
    mov %r1, 7
    mov %r2, 0
    mov %r3, 0
    mov %r4, 0
    call redirect_neigh
    exit
