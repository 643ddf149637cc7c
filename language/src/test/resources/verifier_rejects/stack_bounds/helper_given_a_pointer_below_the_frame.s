# error: prog.s: function 'prog': insn 4 'call 1': passes r2, a pointer outside the stack frame, to map_lookup_elem
.map counters hash key=4 value=8 entries=4
mov %r2, %r10
add %r2, -600
lddw %r1, map:counters
call map_lookup_elem
exit
