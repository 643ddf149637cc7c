# tailcall_bpf2bpf_hierarchy_1: entry counts, then twice calls a subprogram that tail calls entry.
# By value, every subprogram call restarts from its caller's counter: ~2^34 tail calls, so the budget stops it.
.map jmp_table prog_array key=4 value=4 entries=1
.slot jmp_table 0 entry
.map count array key=4 value=8 entries=1

.program entry socket
    mov %r6, %r1
    lddw %r1, map_value:count
    ldxdw %r2, [%r1]
    add %r2, 1
    stxdw [%r1], %r2
    mov %r1, %r6
    call local subprog_tail
    mov %r1, %r6
    call local subprog_tail
    mov %r0, 1
    exit
subprog_tail:
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 0
    call tail_call
    mov %r0, 0
    exit

#> run abi=shared => 1
#> expect count = 34
#> delete jmp_table 0
#> run abi=shared => 1
#> expect count = 35
#> set jmp_table 0 entry
#> poke count 0 0
#> run abi=by-value => budget
