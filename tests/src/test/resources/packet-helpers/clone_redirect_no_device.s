# tc bpf_clone_redirect to ifindex 0, which is no device: -EINVAL
# kernel r0: 0xffffffea
.program main tc
    mov %r2, 0
    mov %r3, 0
    call clone_redirect
    exit
