# error: prog.s: function 'prog': insn 2 'add %r2, 8': r2 holds a map reference, which only mov, calls and comparisons may use
.map jmp_table prog_array key=4 value=4 entries=4
lddw %r2, map:jmp_table
add %r2, 8
mov %r0, 0
exit
