# tailcall_bpf2bpf_hierarchy_3: a program tail calls a counter that calls two tail-calling subprograms through two maps.
.map jmp_table0 prog_array key=4 value=4 entries=1
.map jmp_table1 prog_array key=4 value=4 entries=1
.slot jmp_table0 0 classifier_0
.slot jmp_table1 0 classifier_0
.map count array key=4 value=8 entries=1

.program classifier_0 socket
    mov %r7, %r1
    lddw %r1, map_value:count
    ldxdw %r2, [%r1]
    add %r2, 1
    stxdw [%r1], %r2
    mov %r1, %r7
    lddw %r2, map:jmp_table0
    call local subprog_tail
    mov %r1, %r7
    lddw %r2, map:jmp_table1
    call local subprog_tail
    lddw %r1, map_value:count
    ldxdw %r0, [%r1]
    exit
subprog_tail:
    mov %r3, 0
    call tail_call
    mov %r0, 0
    exit

.program entry socket
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table0
    mov %r3, 0
    call tail_call
    mov %r0, 0
    exit

#> run abi=shared => 33
#> poke count 0 0
#> run abi=by-value => budget
