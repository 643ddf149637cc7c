# tailcall_bpf2bpf_hierarchy_2: two subprograms tail call into two counting programs.
.map jmp_table0 prog_array key=4 value=4 entries=1
.map jmp_table1 prog_array key=4 value=4 entries=1
.slot jmp_table0 0 classifier_0
.slot jmp_table1 0 classifier_1
.map count0 array key=4 value=8 entries=1
.map count1 array key=4 value=8 entries=1

.program classifier_0 socket
    mov %r6, %r1
    lddw %r1, map_value:count0
    ldxdw %r2, [%r1]
    add %r2, 1
    stxdw [%r1], %r2
    mov %r1, %r6
    call local subprog_tail0
    mov %r0, 0
    exit
subprog_tail0:
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table0
    mov %r3, 0
    call tail_call
    mov %r0, 0
    exit

.program classifier_1 socket
    mov %r6, %r1
    lddw %r1, map_value:count1
    ldxdw %r2, [%r1]
    add %r2, 1
    stxdw [%r1], %r2
    mov %r1, %r6
    call local subprog_tail1
    mov %r0, 0
    exit
subprog_tail1:
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table1
    mov %r3, 0
    call tail_call
    mov %r0, 0
    exit

.program entry socket
    mov %r6, %r1
    call local subprog_tail0
    mov %r1, %r6
    call local subprog_tail1
    lddw %r1, map_value:count0
    ldxdw %r2, [%r1]
    lddw %r1, map_value:count1
    ldxdw %r0, [%r1]
    lsh %r0, 16
    or %r0, %r2
    exit
subprog_tail0:
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table0
    mov %r3, 0
    call tail_call
    mov %r0, 0
    exit
subprog_tail1:
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table1
    mov %r3, 0
    call tail_call
    mov %r0, 0
    exit

# One counter for the whole run: classifier_0 takes all 33 tail calls, classifier_1 none.
#> run abi=shared => 33
# By value, entry's second subprogram starts again from entry's counter 0: both chains take 33.
#> poke count0 0 0
#> poke count1 0 0
#> run abi=by-value => 0x210021
