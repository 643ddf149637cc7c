# bpf_perf_event_output from XDP with flags outside BPF_F_INDEX_MASK and BPF_F_CTXLEN_MASK: -EINVAL
# kernel r0: 0xffffffea
# kernel perf: none
.map events perf_event_array key=4 value=4 entries=4
.program main xdp
    stdw [%r10-8], 0x11223344
    lddw %r2, map:events
    lddw %r3, 0x10000000000000
    mov %r4, %r10
    add %r4, -8
    mov %r5, 4
    call perf_event_output
    exit
