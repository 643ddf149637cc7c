# error: prog.s: function 'prog': insn 2 'ja +2': jumps to insn 5, outside function 'prog'
mov %r0, 0
call local sub
ja +2
exit
sub:
mov %r0, 1
exit
