# error: prog.s: function 'prog': insn 1 'call local +1': calls 'sub', which uses bpf_tail_call, while the frames of its callers total 256 bytes (must be below 256)
.map jmp_table prog_array key=4 value=4 entries=1
stdw [%r10-256], 0
call local sub
exit
sub:
lddw %r2, map:jmp_table
mov %r3, 0
call tail_call
mov %r0, 0
exit
