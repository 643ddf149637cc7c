# two bpf_clone_redirect calls around a packet write: each clone has the bytes of its call; 0 + 0, then TC_ACT_OK
# kernel r0: 0x0
.program main tc
    mov %r6, %r1
    mov %r2, 1
    mov %r3, 0
    call clone_redirect
    mov %r7, %r0
    stw [%r10-8], 0x44332211
    mov %r1, %r6
    mov %r2, 0
    mov %r3, %r10
    add %r3, -8
    mov %r4, 2
    mov %r5, 0
    call skb_store_bytes
    mov %r1, %r6
    mov %r2, 1
    mov %r3, 1
    call clone_redirect
    add %r0, %r7
    exit
