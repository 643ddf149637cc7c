# error: prog.s: function 'prog': insn 0 'lddw %r1, map_value:counters+8': offset 8 is outside the 8-byte value of map 'counters'
.map counters array key=4 value=8 entries=1
lddw %r1, map_value:counters+8
mov %r0, 0
exit
