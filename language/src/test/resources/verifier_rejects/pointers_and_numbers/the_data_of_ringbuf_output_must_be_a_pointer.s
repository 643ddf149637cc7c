# error: prog.s: function 'prog': insn 5 'call 130': R2 type=scalar expected=pointer: ringbuf_output reads or writes memory through r2
.map events ringbuf entries=4096
mov %r2, 64
mov %r3, 8
mov %r4, 0
lddw %r1, map:events
call ringbuf_output
exit
