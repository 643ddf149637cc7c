# error: prog.s: function 'prog': insn 1 'ldxdw %r0, [%r0]': R0 invalid mem access 'scalar'
.map values array key=4 value=8 entries=1
call local lookup
ldxdw %r0, [%r0]
exit
lookup:
mov %r0, 64
jeq %r1, 0, +6
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map:values
call map_lookup_elem
exit
