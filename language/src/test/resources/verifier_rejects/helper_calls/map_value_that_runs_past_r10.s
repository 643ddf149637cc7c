# error: prog.s: function 'prog': insn 8 'call 2': the 16-byte value of map 'counters' at r3 (r10-8) does not fit in the stack frame
.map counters hash key=4 value=16 entries=4
stw [%r10-16], 0
mov %r2, %r10
add %r2, -16
mov %r3, %r10
add %r3, -8
lddw %r1, map:counters
mov %r4, 0
call map_update_elem
exit
