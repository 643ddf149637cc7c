# Packet helpers and perf event arrays (issue 17): csum diff null from accepted.
# ours: accepted
# kernel: accepted
.program main xdp
    stdw [%r10-8], 0
    mov %r1, 0
    mov %r2, 0
    mov %r3, %r10
    add %r3, -8
    mov %r4, 4
    mov %r5, 0
    call csum_diff
    mov %r0, 2
    exit
