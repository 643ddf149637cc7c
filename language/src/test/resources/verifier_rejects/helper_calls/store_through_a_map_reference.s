# error: prog.s: function 'prog': insn 3 'stdw [%r3+8], 0': r3 holds a map reference, which only mov, calls and comparisons may use
.map jmp_table prog_array key=4 value=4 entries=4
lddw %r2, map:jmp_table
mov %r3, %r2
stdw [%r3+8], 0
mov %r0, 0
exit
