# tailcall_4: the key comes from a global selector, so every site takes the indirect form.
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
    lddw %r3, map_value:selector
    ldxw %r3, [%r3]
    mov %r1, %r6
    lddw %r2, map:jmp_table
    call tail_call
    mov %r0, 3
    exit

#> poke selector 0 0
#> run => 0
#> poke selector 0 1
#> run => 1
#> poke selector 0 2
#> run => 2
#> poke selector 0 0
#> delete jmp_table 0
#> run => 3
#> poke selector 0 1
#> delete jmp_table 1
#> run => 3
#> poke selector 0 2
#> delete jmp_table 2
#> run => 3
