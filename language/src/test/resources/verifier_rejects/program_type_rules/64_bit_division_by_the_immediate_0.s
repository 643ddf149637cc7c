# error: prog.s: function 'prog': insn 1 'div %r0, 0': division by zero: the divisor is the immediate 0
mov %r0, 7
div %r0, 0
exit
