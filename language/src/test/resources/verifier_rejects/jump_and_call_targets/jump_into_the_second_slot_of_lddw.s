# error: prog.s: function 'prog': insn 1 'ja +1': jumps to insn 3, the second slot of lddw
mov %r0, 0
ja +1
lddw %r0, 0x5
exit
