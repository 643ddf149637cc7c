# tailcall_5: the key is a constant on each path but differs between paths, so the site is indirect.
.map jmp_table prog_array key=4 value=4 entries=3
.map selector array key=4 value=8 entries=1
.slot jmp_table 0 classifier_0
.slot jmp_table 1 classifier_1
.slot jmp_table 2 classifier_2

.program classifier_0 socket
    mov %r0, 0
    exit

.program classifier_1 socket
    mov %r0, 1
    exit

.program classifier_2 socket
    mov %r0, 2
    exit

.program entry socket
    mov %r6, %r1
    lddw %r1, map_value:selector
    ldxw %r1, [%r1]
    mov %r3, 0
    jne %r1, 1234, not_1234
    mov %r3, 1
    ja call_it
not_1234:
    jne %r1, 5678, call_it
    mov %r3, 2
call_it:
    mov %r1, %r6
    lddw %r2, map:jmp_table
    call tail_call
    mov %r0, 3
    exit

#> poke selector 0 1111
#> run => 0
#> poke selector 0 1234
#> run => 1
#> poke selector 0 5678
#> run => 2
#> poke selector 0 1111
#> delete jmp_table 0
#> run => 3
#> poke selector 0 1234
#> delete jmp_table 1
#> run => 3
#> poke selector 0 5678
#> delete jmp_table 2
#> run => 3
