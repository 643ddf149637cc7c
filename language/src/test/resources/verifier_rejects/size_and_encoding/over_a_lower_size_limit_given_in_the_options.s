# error: prog.s: function 'prog': program has 3 instructions, more than the limit of 2
# max-instructions: 2
mov %r0, 0
mov %r0, 1
exit
