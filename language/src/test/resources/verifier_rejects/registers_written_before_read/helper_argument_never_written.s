# error: prog.s: function 'filter': insn 2 'call 1': r2 is read before it is written on every path
.map counters hash key=4 value=8 entries=4
.program filter socket
lddw %r1, map:counters
call map_lookup_elem
exit
