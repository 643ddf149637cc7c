# error: prog.s: function 'prog': insn 8 'call 132': R1 type=scalar expected=pointer: ringbuf_submit reads or writes memory through r1
.map events ringbuf entries=4096
lddw %r1, map:events
mov %r2, 8
mov %r3, 0
call ringbuf_reserve
mov %r1, %r0
xor %r1, 0
mov %r2, 0
call ringbuf_submit
mov %r0, 0
exit
