# tc bpf_clone_redirect to the loopback device (ifindex 1), egress: 0, and the program goes on
# kernel r0: 0x0
.program main tc
    mov %r2, 1
    mov %r3, 0
    call clone_redirect
    exit
