# tc bpf_clone_redirect to the loopback device's ingress (BPF_F_INGRESS): 0
# kernel r0: 0x0
.program main tc
    mov %r2, 1
    mov %r3, 1
    call clone_redirect
    exit
