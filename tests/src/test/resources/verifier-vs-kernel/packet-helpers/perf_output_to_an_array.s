# Packet helpers and perf event arrays (issue 17): perf output to an array.
# ours: rejected: cannot pass map_type 2 into func bpf_perf_event_output#25 (map 'counts')
# kernel: rejected: cannot pass map_type 2 into func bpf_perf_event_output#25
.map counts array key=4 value=8 entries=1
.program main xdp
    stdw [%r10-8], 0
    lddw %r2, map:counts
    mov %r3, -1
    mov %r4, %r10
    add %r4, -8
    mov %r5, 8
    call perf_event_output
    mov %r0, 2
    exit
