# tailcall_bpf2bpf_3: programs with 128-byte frames, subprograms with 64-byte frames, tail calls from both.
.map jmp_table prog_array key=4 value=4 entries=2
.slot jmp_table 0 classifier_0
.slot jmp_table 1 classifier_1

.program classifier_0 socket
    stdw [%r10-128], 0
    stdw [%r10-8], 0
    call local subprog_tail2
    exit
subprog_tail2:
    stdw [%r10-64], 0
    stdw [%r10-8], 0
    mov %r6, %r1
    ldxw %r2, [%r6+0]
    jeq %r2, 0, use_key_10      # never: the packet is 54 bytes long
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 1
    call tail_call
    ja done
use_key_10:
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 10
    call tail_call
done:
    ldxw %r0, [%r6+0]
    exit

.program classifier_1 socket
    stdw [%r10-128], 0
    stdw [%r10-8], 0
    ldxw %r0, [%r1+0]
    mul %r0, 3
    exit

.program entry socket
    stdw [%r10-128], 0
    stdw [%r10-8], 0
    call local subprog_tail
    exit
subprog_tail:
    stdw [%r10-64], 0
    stdw [%r10-8], 0
    mov %r6, %r1
    mov %r1, %r6
    lddw %r2, map:jmp_table
    mov %r3, 0
    call tail_call
    ldxw %r0, [%r6+0]
    lsh %r0, 1
    exit

#> run => 162
#> delete jmp_table 1
#> run => 54
#> delete jmp_table 0
#> run => 108
