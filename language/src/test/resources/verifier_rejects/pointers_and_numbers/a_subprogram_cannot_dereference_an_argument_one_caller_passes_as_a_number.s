# error: prog.s: function 'read': insn 7 'ldxdw %r0, [%r1]': R1 invalid mem access 'scalar'
stdw [%r10-8], 0
mov %r1, %r10
add %r1, -8
call local read
mov %r1, 4096
call local read
exit
read:
ldxdw %r0, [%r1]
exit
