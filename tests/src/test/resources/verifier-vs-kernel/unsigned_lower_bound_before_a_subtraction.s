# r7 >=u 16 (the unsigned lower bound, which a signed range of an unknown number cannot keep) and r7 <=u 79: r7 - 16 indexes a 64-byte map value.
# ours: accepted
# kernel: accepted
.map arr array key=4 value=64 entries=1
.program main xdp
    mov %r6, %r1
    ldxw %r2, [%r6+0]
    ldxw %r3, [%r6+4]
    mov %r4, %r2
    add %r4, 8
    jgt %r4, %r3, out
    ldxdw %r7, [%r2+0]
    stw [%r10-4], 0
    lddw %r1, map:arr
    mov %r2, %r10
    add %r2, -4
    call map_lookup_elem
    jlt %r7, 16, out
    jgt %r7, 79, out
    sub %r7, 16
    add %r0, %r7
    ldxb %r0, [%r0+0]
    exit
out:
    mov %r0, 0
    exit
