# error: prog.s: function 'prog': insn 3 'call 12': bpf_tail_call needs a prog array in r2, but map 'counters' is a hash
.map counters hash key=4 value=8 entries=4
lddw %r2, map:counters
mov %r3, 0
call tail_call
mov %r0, 0
exit
