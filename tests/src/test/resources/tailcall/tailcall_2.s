# tailcall_2: chains of tail calls; 3 and 4 ping-pong until 33 tail calls have happened.
.map jmp_table prog_array key=4 value=4 entries=5
.slot jmp_table 0 classifier_0
.slot jmp_table 1 classifier_1
.slot jmp_table 2 classifier_2
.slot jmp_table 3 classifier_3
.slot jmp_table 4 classifier_4

.program classifier_0 socket
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 1
    call tail_call
    mov %r0, 0
    exit

.program classifier_1 socket
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 2
    call tail_call
    mov %r0, 1
    exit

.program classifier_2 socket
    mov %r6, %r1
    mov %r0, 2
    exit

.program classifier_3 socket
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 4
    call tail_call
    mov %r0, 3
    exit

.program classifier_4 socket
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 3
    call tail_call
    mov %r0, 4
    exit

.program entry socket
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 0
    call tail_call
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 2
    call tail_call
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 3
    call tail_call
    mov %r0, 3
    exit

#> run => 2
#> delete jmp_table 2
#> run => 1
# With slots 0 and 2 empty, entry reaches 3, which ping-pongs with 4; the 33rd tail call lands in 3,
# whose next tail call fails, so 3 returns 3 (a limit of 32 would end in 4).
#> delete jmp_table 0
#> run => 3
