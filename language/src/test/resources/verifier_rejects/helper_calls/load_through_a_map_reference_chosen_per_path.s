# error: prog.s: function 'prog': insn 5 'ldxdw %r0, [%r2]': r2 holds a map reference, which only mov, calls and comparisons may use
.map first prog_array key=4 value=4 entries=4
.map second prog_array key=4 value=4 entries=4
lddw %r2, map:first
jeq %r1, 0, +2
lddw %r2, map:second
ldxdw %r0, [%r2]
exit
