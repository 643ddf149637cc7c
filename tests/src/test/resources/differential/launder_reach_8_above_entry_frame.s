# The entry function reads the 8 bytes just above its frame's top ([r10, r10+8)) through a laundered r10:
# on the native engine the saved frame pointer or return address of the code that called it. The read must
# fail alike on both engines (and never hand r0 a host value).
# input (0 bytes): none
# options: bpf.Verify=false bpf.InstructionLimit=100000
# expect error: read of 8 bytes
# replay: bpf run FILE --program main --unverified --engine interpreter|native
.program main raw
    mov %r1, %r10
    lsh %r1, 0
    ldxdw %r0, [%r1+0]
    exit
