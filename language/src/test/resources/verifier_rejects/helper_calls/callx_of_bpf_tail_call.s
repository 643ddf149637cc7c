# error: prog.s: function 'prog': insn 1 'call %r2': bpf_tail_call must be called as 'call 12', not through a register
mov %r2, 12
call %r2
mov %r0, 0
exit
