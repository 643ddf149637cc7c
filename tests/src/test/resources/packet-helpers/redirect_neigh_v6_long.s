# tc bpf_redirect_neigh via the IPv6 next hop fe80::1 (nh_family AF_INET6), params longer than the struct: TC_ACT_REDIRECT
# kernel r0: 0x7
.program main tc
    stdw [%r10-24], 0
    stdw [%r10-16], 0
    stdw [%r10-8], 0
    stw [%r10-24], 10
    stw [%r10-20], 0x80fe
    stw [%r10-8], 0x01000000
    mov %r1, 9
    mov %r2, %r10
    add %r2, -24
    mov %r3, 24
    mov %r4, 0
    call redirect_neigh
    exit
