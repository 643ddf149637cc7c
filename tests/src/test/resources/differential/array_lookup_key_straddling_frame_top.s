# An array map lookup whose key pointer is r10-2: the key's last two bytes lie above the frame. The
# interpreter's inlined lookup accepts a key in the caller's own frame by comparing with the frame's bounds
# alone; this key must fail that test and be refused, as on the native engine.
# input (0 bytes): none
# options: bpf.Verify=false bpf.InstructionLimit=100000
# expect error: read of 4 bytes at r10-2 is outside the stack frame
# replay: bpf run FILE --program main --unverified --engine interpreter|native
.map counts array key=4 value=8 entries=4
.program main raw
    mov %r1, 0
    stxdw [%r10-8], %r1
    mov %r2, %r10
    add %r2, -2
    lddw %r1, map:counts
    call 1
    jeq %r0, 0, +2
    ldxdw %r0, [%r0+0]
    add %r0, 100
    exit
