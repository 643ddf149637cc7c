# tailcall_3: a program tail calls itself through a constant key (the direct, patched form): 33 tail calls.
.map jmp_table prog_array key=4 value=4 entries=1
.slot jmp_table 0 classifier_0
.map count array key=4 value=8 entries=1

.program classifier_0 socket
    mov %r6, %r1
    lddw %r1, map_value:count
    ldxdw %r2, [%r1]
    add %r2, 1
    stxdw [%r1], %r2
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 0
    call tail_call
    mov %r0, 1
    exit

.program entry socket
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 0
    call tail_call
    mov %r0, 0
    exit

#> run => 1
#> expect count = 33
#> delete jmp_table 0
#> run => 0
#> expect count = 33
