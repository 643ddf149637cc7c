# tailcall_bpf2bpf_1: tail calls from a program and from a bpf-to-bpf subprogram.
.map jmp_table prog_array key=4 value=4 entries=2
.slot jmp_table 0 classifier_0
.slot jmp_table 1 classifier_1

.program classifier_0 socket
    mov %r0, 0
    exit

.program classifier_1 socket
    mov %r0, 1
    exit

.program entry socket
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 1
    call tail_call
    mov %r1, %r6
    call local subprog_tail
    exit
subprog_tail:
    mov %r6, %r1
    stdw [%r10-8], 0          # the subprogram has a non-zero stack
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 0
    call tail_call
    ldxw %r0, [%r6+0]          # skb->len
    lsh %r0, 1
    exit

#> run => 1
#> delete jmp_table 1
#> run => 0
#> delete jmp_table 0
#> run => 108
