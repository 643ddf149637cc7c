# test_verifier runtime_jit: tail calls with constant keys, in and out of range, through one or two maps.
.map jmp_table prog_array key=4 value=4 entries=4
.map jmp_table2 prog_array key=4 value=4 entries=8
.slot jmp_table 0 returns_42
.slot jmp_table 1 loops_then_41
.slot jmp_table 2 returns_24
.program returns_42 socket
    mov %r0, 42
    exit
.program loops_then_41 socket
    lddw %r2, map:jmp_table
    mov %r3, 1
    call tail_call
    mov %r0, 41
    exit
.program returns_24 socket
    mov %r0, 24
    exit

.program key_0 socket
    mov %r3, 0
    lddw %r2, map:jmp_table
    call tail_call
    mov %r0, 1
    exit

.program key_1 socket
    mov %r3, 1
    lddw %r2, map:jmp_table
    call tail_call
    mov %r0, 1
    exit

.program key_3_empty socket
    mov %r3, 3
    lddw %r2, map:jmp_table
    call tail_call
    mov %r0, 1
    exit

.program key_2 socket
    mov %r3, 2
    lddw %r2, map:jmp_table
    call tail_call
    mov %r0, 1
    exit

.program key_256 socket
    mov %r3, 256
    lddw %r2, map:jmp_table
    call tail_call
    mov %r0, 2
    exit

.program key_minus_1 socket
    mov %r3, -1
    lddw %r2, map:jmp_table
    call tail_call
    mov %r0, 2
    exit

.program key_2pow32 socket
    lddw %r3, 0x100000000
    lddw %r2, map:jmp_table
    call tail_call
    mov %r0, 2
    exit

.program map_per_branch socket
    ldxw %r2, [%r1+0]
    mov %r3, 0
    jeq %r2, 54, first_map
    lddw %r2, map:jmp_table2
    ja call_it
first_map:
    lddw %r2, map:jmp_table
call_it:
    call tail_call
    mov %r0, 1
    exit

#> run key_0 => 42
#> run key_1 => 41
#> run key_3_empty => 1
#> run key_2 => 24
#> run key_256 => 2
#> run key_minus_1 => 2
#> run key_2pow32 => 42
#> run map_per_branch => 42
#> context socket packet=60
#> run map_per_branch => 1
