# Packet helpers and perf event arrays (issue 17): csum diff null with a size.
# ours: rejected: R1 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem: csum_diff reads R2 bytes through NULL
# kernel: rejected: R1 type=scalar expected=fp
.program main xdp
    stdw [%r10-8], 0
    mov %r1, 0
    mov %r2, 4
    mov %r3, %r10
    add %r3, -8
    mov %r4, 4
    mov %r5, 0
    call csum_diff
    mov %r0, 2
    exit
