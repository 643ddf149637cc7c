# Issue 16: with bpf.Verify=false a function may call itself without end. Each call takes a full 512-byte
# frame. Both engines stop it at the frame limit with the same error when the thread's stack is large enough
# (here); on a small thread stack both report a stack overflow instead (DeepRecursionTest runs this file in a
# child JVM with -Xss256k), where the native engine used to overrun the stack into the JVM's guard pages.
# input (0 bytes): none
# options: bpf.Verify=false bpf.InstructionLimit=100000
# expect error: call nesting exceeds 272 frames
# replay: bpf run FILE --program main --unverified --engine interpreter|native
.program main raw
    mov %r1, 0
    call local f
    exit
f:
    stdw [%r10-512], 1
    mov %r6, %r1
    add %r1, 1
    call local f
    exit
