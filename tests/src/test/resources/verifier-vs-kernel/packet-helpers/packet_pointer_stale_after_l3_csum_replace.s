# Packet helpers and perf event arrays (issue 17): packet pointer stale after l3 csum replace.
# ours: rejected: R7 invalid mem access 'scalar'
# kernel: rejected: R7 invalid mem access 'scalar'
.program main tc
    mov %r6, %r1
    ldxw %r7, [%r6+76]
    ldxw %r8, [%r6+80]
    mov %r2, %r7
    add %r2, 34
    jgt %r2, %r8, out
    mov %r1, %r6
    mov %r2, 24
    mov %r3, 0
    mov %r4, 0
    mov %r5, 0
    call l3_csum_replace
    ldxb %r0, [%r7+20]
out:
    mov %r0, 0
    exit
