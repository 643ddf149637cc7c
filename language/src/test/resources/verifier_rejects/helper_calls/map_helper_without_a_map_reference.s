# error: prog.s: function 'prog': insn 4 'call 1': map_lookup_elem needs a map reference (lddw map:NAME) in r1
mov %r2, %r10
add %r2, -4
stw [%r2], 0
mov %r1, 0
call map_lookup_elem
exit
