# error: prog.s: function 'prog': insn 0 'ldxsw %r2, [%r1+76]': context access at offset 76 (4 bytes): the packet pointer there cannot be loaded sign-extended
.program prog tc
ldxsw %r2, [%r1+76]
mov %r0, 0
exit
