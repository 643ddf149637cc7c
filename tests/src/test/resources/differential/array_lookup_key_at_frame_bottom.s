# An array map lookup whose key is the frame's lowest 4 bytes (r10-512, never written, so key 0): in the
# frame, so found on both engines (slot 0 holds 0, so r0 = 100).
# input (0 bytes): none
# options: bpf.Verify=false bpf.InstructionLimit=100000
# expect r0: 100
# replay: bpf run FILE --program main --unverified --engine interpreter|native
.map counts array key=4 value=8 entries=4
.program main raw
    mov %r1, 0
    stxdw [%r10-8], %r1
    mov %r2, %r10
    add %r2, -512
    lddw %r1, map:counts
    call 1
    jeq %r0, 0, +2
    ldxdw %r0, [%r0+0]
    add %r0, 100
    exit
