# Packet helpers and perf event arrays (issue 17): store bytes unbounded size.
# ours: rejected: R4 unbounded memory access, use 'var &= const' or 'if (var < const)'
# kernel: rejected: R4 invalid zero-sized read: u64=[0,4294967295]
.program main tc
    mov %r6, %r1
    stdw [%r10-8], 0
    ldxw %r4, [%r6+0]
    mov %r1, %r6
    mov %r2, 0
    mov %r3, %r10
    add %r3, -8
    mov %r5, 0
    call skb_store_bytes
    mov %r0, 0
    exit
