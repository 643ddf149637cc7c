# Packet helpers and perf event arrays (issue 17): perf array lookup.
# ours: rejected: cannot pass map_type 4 into func bpf_map_lookup_elem#1 (map 'events')
# kernel: rejected: cannot pass map_type 4 into func bpf_map_lookup_elem#1
.map events perf_event_array key=4 value=4 entries=1
.program main xdp
    stw [%r10-4], 0
    lddw %r1, map:events
    mov %r2, %r10
    add %r2, -4
    call map_lookup_elem
    mov %r0, 2
    exit
