# Frame bytes never written read 0 on both engines: frames are zeroed on entry. f leaves 12345 in its frame;
# g, called next at the same depth, reads that slot through a laundered r10; main reads a slot of its own
# frame it never wrote. Without zeroing, g sees f's value (or whatever an earlier run left) on one engine.
# input (0 bytes): none
# options: bpf.Verify=false bpf.InstructionLimit=100000
# expect r0: 0
# replay: bpf run FILE --program main --unverified --engine interpreter|native
.program main raw
    call local f
    call local g
    mov %r6, %r0
    mov %r1, %r10
    or %r1, 0
    ldxdw %r0, [%r1-504]
    add %r0, %r6
    exit
f:
    stdw [%r10-200], 12345
    stdw [%r10-504], 678
    mov %r0, 0
    exit
g:
    mov %r1, %r10
    xor %r1, 0
    ldxdw %r0, [%r1-200]
    ldxdw %r2, [%r1-504]
    add %r0, %r2
    exit
