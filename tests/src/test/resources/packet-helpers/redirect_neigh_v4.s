# tc bpf_redirect_neigh via the IPv4 next hop 10.0.0.1 (nh_family AF_INET): TC_ACT_REDIRECT
# kernel r0: 0x7
.program main tc
    stdw [%r10-24], 0
    stdw [%r10-16], 0
    stdw [%r10-8], 0
    stw [%r10-24], 2
    stw [%r10-20], 0x0100000a
    mov %r1, 7
    mov %r2, %r10
    add %r2, -24
    mov %r3, 20
    mov %r4, 0
    call redirect_neigh
    exit
