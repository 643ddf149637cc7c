# error: prog.s: function 'prog': insn 3 'call 1': R2 type=scalar expected=pointer: map_lookup_elem reads or writes memory through r2
.map values array key=4 value=8 entries=1
mov %r2, 4096
lddw %r1, map:values
call map_lookup_elem
mov %r0, 0
exit
