# error: prog.s: function 'prog': insn 1 'ldxw %r2, [%r1-4]': dereference of modified ctx ptr R1 disallowed
# The kernel refuses any access through the context moved by a number (its message adds off=4).
.program prog xdp
add %r1, 4
ldxw %r2, [%r1-4]
ldxb %r0, [%r2]
exit
