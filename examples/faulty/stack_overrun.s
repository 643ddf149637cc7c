# A program the verifier refuses: it keeps eight 64-bit counters on the stack, then reads one slot too far
# down, below the 512-byte frame. `bin/bpf verify examples/faulty/stack_overrun.s` names the instruction and the reason.
    mov %r2, 0
    stxdw [%r10-8], %r2
    stxdw [%r10-16], %r2
    stxdw [%r10-24], %r2
    stxdw [%r10-32], %r2
    stxdw [%r10-40], %r2
    stxdw [%r10-48], %r2
    stxdw [%r10-56], %r2
    stxdw [%r10-64], %r2
    ldxdw %r0, [%r10-8]
    add %r0, 1
    stxdw [%r10-8], %r0
    ldxdw %r2, [%r10-520]
    add %r0, %r2
    exit
