# error: prog.s: function 'prog': insn 5 'call 1': the 8-byte key of map 'counters' at r2 (r10-4) does not fit in the stack frame
.map counters hash key=8 value=8 entries=4
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map:counters
call map_lookup_elem
exit
