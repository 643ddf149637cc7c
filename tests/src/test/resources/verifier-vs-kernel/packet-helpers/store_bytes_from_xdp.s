# Packet helpers and perf event arrays (issue 17): store bytes from xdp.
# ours: rejected: helper skb_store_bytes is not available to xdp programs
# kernel: rejected: program of this type cannot use helper bpf_skb_store_bytes#9
.program main xdp
    stdw [%r10-8], 0
    mov %r2, 0
    mov %r3, %r10
    add %r3, -8
    mov %r4, 2
    mov %r5, 0
    call skb_store_bytes
    mov %r0, 2
    exit
