# Escape (issue 8): a subprogram given a pointer into its caller's stack launders it (or 0) and writes
# through it. The writes land 16..40 bytes below mid's r10, inside mid's frame (512 bytes when unverified),
# so main's r6..r9 must survive: r0 = 11+22+33+44 = 110 on both engines. Before frames were checked the
# native engine gave 10000 (the writes overwrote saved callee-saved registers).
# input (0 bytes): none
# options: bpf.Verify=false bpf.InstructionLimit=100000
# expect r0: 110
# replay: bpf run FILE --program main --unverified --engine interpreter|native
.program main raw
    mov %r6, 11
    mov %r7, 22
    mov %r8, 33
    mov %r9, 44
    call local mid
    mov %r0, %r6
    add %r0, %r7
    add %r0, %r8
    add %r0, %r9
    exit
mid:
    mov %r6, 0
    mov %r7, 0
    mov %r8, 0
    mov %r9, 0
    stdw [%r10-8], 0
    mov %r1, %r10
    add %r1, -8
    call local leaf
    mov %r0, 0
    exit
leaf:
    or %r1, 0
    stdw [%r1-8], 1000
    stdw [%r1-16], 2000
    stdw [%r1-24], 3000
    stdw [%r1-32], 4000
    mov %r0, 0
    exit
