# tailcall_1: every slot is patched at several sites; deleting and refilling slots changes the result.
.map jmp_table prog_array key=4 value=4 entries=3
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
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 0
    call tail_call
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 0
    call tail_call
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 0
    call tail_call
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 0
    call tail_call
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 1
    call tail_call
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 1
    call tail_call
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 1
    call tail_call
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 1
    call tail_call
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 2
    call tail_call
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 2
    call tail_call
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 2
    call tail_call
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 2
    call tail_call
    mov %r0, 3
    exit

#> run => 0
#> delete jmp_table 0
#> run => 1
#> delete jmp_table 1
#> run => 2
#> delete jmp_table 2
#> run => 3
#> set jmp_table 0 classifier_0
#> set jmp_table 1 classifier_1
#> set jmp_table 2 classifier_2
#> run => 0
#> set jmp_table 0 classifier_2
#> set jmp_table 1 classifier_1
#> set jmp_table 2 classifier_0
#> run => 2
#> delete jmp_table 0
#> run => 1
#> delete jmp_table 1
#> run => 0
#> delete jmp_table 2
#> run => 3
#> delete jmp_table 0 => ENOENT
#> run => 3
#> delete jmp_table 1 => ENOENT
#> run => 3
#> delete jmp_table 2 => ENOENT
#> run => 3
