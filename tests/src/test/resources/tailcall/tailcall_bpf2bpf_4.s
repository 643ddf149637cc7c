# tailcall_bpf2bpf_4: the counter travels through subprogram calls across programs: classifier_2 runs 31 times.
.map jmp_table prog_array key=4 value=4 entries=3
.map count array key=4 value=8 entries=1
.slot jmp_table 0 classifier_0
.slot jmp_table 1 classifier_1
.slot jmp_table 2 classifier_2

.program classifier_0 socket
    call local subprog_tail_1
    exit
subprog_tail_1:
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 1
    call tail_call
    ldxw %r0, [%r6+0]
    mul %r0, 2
    exit

.program classifier_1 socket
    call local subprog_tail_2
    exit
subprog_tail_2:
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 2
    call tail_call
    ldxw %r0, [%r6+0]
    mul %r0, 3
    exit

.program classifier_2 socket
    mov %r6, %r1
    lddw %r1, map_value:count
    ldxdw %r2, [%r1]
    add %r2, 1
    stxdw [%r1], %r2
    mov %r1, %r6
    call local subprog_tail_2
    exit
subprog_tail_2:
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 2
    call tail_call
    ldxw %r0, [%r6+0]
    mul %r0, 3
    exit

.program entry socket
    call local subprog_tail
    exit
subprog_tail:
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 0
    call tail_call
    ldxw %r0, [%r6+0]
    exit

#> run => 162
#> expect count = 31
