# error: prog.s: function 'leaf': insn 21 'stdw [%r1-8], 1000': R1 invalid mem access 'scalar'
# program: tests/src/test/resources/differential/launder_callee_writes_below_caller_frame.s
