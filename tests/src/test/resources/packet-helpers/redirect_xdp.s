# XDP bpf_redirect: XDP_REDIRECT, and XDP_ABORTED with any flag
# kernel r0: 0x400
.program main xdp
    mov %r1, 3
    mov %r2, 0
    call redirect
    mov %r6, %r0
    mov %r1, 3
    mov %r2, 1
    call redirect
    lsh %r6, 8
    or %r0, %r6
    exit
