# bpf_perf_event_output to slot 1 (no event: -ENOENT), slot 4 of 4 (-E2BIG), BPF_F_CURRENT_CPU with 20 packet bytes appended (0)
# kernel r0: 0xfef900
# kernel perf: 44 33 22 00 00 00 00 00 02 00 00 00 00 00 01 08 00 45 00 00 28 00 00 00 00 00 00 00
.map events perf_event_array key=4 value=4 entries=4
.program main tc
    mov %r6, %r1
    stdw [%r10-8], 0x11223344
    mov %r1, %r6
    lddw %r2, map:events
    mov %r3, 1
    mov %r4, %r10
    add %r4, -8
    mov %r5, 4
    call perf_event_output
    mov %r7, %r0
    and %r7, 0xff
    lsh %r7, 16
    mov %r1, %r6
    lddw %r2, map:events
    mov %r3, 4
    mov %r4, %r10
    add %r4, -8
    mov %r5, 4
    call perf_event_output
    and %r0, 0xff
    lsh %r0, 8
    or %r7, %r0
    mov %r1, %r6
    lddw %r2, map:events
    lddw %r3, 0x14ffffffff
    mov %r4, %r10
    add %r4, -8
    mov %r5, 3
    call perf_event_output
    and %r0, 0xff
    or %r0, %r7
    exit
