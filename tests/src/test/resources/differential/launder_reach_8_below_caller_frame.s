# A callee reads 8 bytes that lie 8 bytes below its caller's frame (unverified: 512 bytes below the
# caller's r10): between the frames, where the native engine keeps the return address and saved registers.
# The read must fail alike on both engines (and never hand r0 a host value).
# input (0 bytes): none
# options: bpf.Verify=false bpf.InstructionLimit=100000
# expect error: read of 8 bytes
# replay: bpf run FILE --program main --unverified --engine interpreter|native
.program main raw
    mov %r1, %r10
    add %r1, -8
    call local sub
    exit
sub:
    and %r1, -1
    ldxdw %r0, [%r1-512]
    exit
