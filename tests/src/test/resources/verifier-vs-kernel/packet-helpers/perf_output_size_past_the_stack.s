# Packet helpers and perf event arrays (issue 17): perf output size past the stack.
# ours: rejected: invalid indirect access to stack R4 off=-8 size=16: perf_event_output reaches outside the stack frame
# kernel: rejected: invalid read from stack R4 off=-8 size=16
.map events perf_event_array key=4 value=4 entries=1
.program main tc
    stdw [%r10-8], 0
    lddw %r2, map:events
    mov %r3, -1
    mov %r4, %r10
    add %r4, -8
    mov %r5, 16
    call perf_event_output
    mov %r0, 0
    exit
