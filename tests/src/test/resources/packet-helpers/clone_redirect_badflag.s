# tc bpf_clone_redirect with a flag other than BPF_F_INGRESS: -EINVAL
# kernel r0: 0xffffffea
.program main tc
    mov %r2, 1
    mov %r3, 2
    call clone_redirect
    exit
