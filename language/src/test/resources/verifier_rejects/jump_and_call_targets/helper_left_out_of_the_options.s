# error: prog.s: function 'prog': insn 0 'call 7': calls helper 7 (bpf_get_prandom_u32), which TruffleBPF does not support
# helpers: 5
call 7
exit
