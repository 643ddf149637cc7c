# error: prog.s: function 'prog': insn 7 'call 2': R3 type=scalar expected=pointer: map_update_elem reads or writes memory through r3
.map values array key=4 value=8 entries=1
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
mov %r3, 0
mov %r4, 0
lddw %r1, map:values
call map_update_elem
exit
