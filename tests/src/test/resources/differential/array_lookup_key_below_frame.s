# An array map lookup whose key pointer is r10-516, just below the 512-byte frame of an unverified program:
# refused on both engines, though the interpreter's inlined lookup has a fast test for keys in the frame.
# input (0 bytes): none
# options: bpf.Verify=false bpf.InstructionLimit=100000
# expect error: read of 4 bytes at r10-516 is outside the stack frame
# replay: bpf run FILE --program main --unverified --engine interpreter|native
.map counts array key=4 value=8 entries=4
.program main raw
    mov %r1, 0
    stxdw [%r10-8], %r1
    mov %r2, %r10
    add %r2, -516
    lddw %r1, map:counts
    call 1
    jeq %r0, 0, +2
    ldxdw %r0, [%r0+0]
    add %r0, 100
    exit
