# error: prog.s: function 'prog': insn 5 'exit': r0 is read after bpf_tail_call without being written (r0 is undefined after a tail call that falls through)
.map jmp_table prog_array key=4 value=4 entries=1
mov %r0, 1
lddw %r2, map:jmp_table
mov %r3, 0
call tail_call
exit
