# tailcall_bpf2bpf_6: the caller has a 1-byte stack; the counter reload must use the rounded depth (ff672c67ee76).
.map jmp_table prog_array key=4 value=4 entries=1
.slot jmp_table 0 classifier_0
.map done array key=4 value=8 entries=1

.program classifier_0 socket
    lddw %r1, map_value:done
    stdw [%r1], 1
    mov %r0, 0
    exit

.program entry socket
    stb [%r10-1], 0
    ldxb %r2, [%r10-1]
    call local subprog_tail
    exit
subprog_tail:
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 0
    call tail_call
    mov %r0, 1
    exit

#> run => 0
#> expect done = 1
