# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20261565 (campaign seed 20261128), reduced
# probe: pointer-arithmetic/stack - 1, then read
# ours: rejected: R2 subtraction from stack pointer prohibited
# kernel: rejected: R2 subtraction from stack pointer prohibited
# kernel log, last lines:
#   0: R1=ctx() R10=fp0
#   0: (bf) r2 = r10                      ; R2=fp0 R10=fp0
#   1: (17) r2 -= 1
#   R2 subtraction from stack pointer prohibited
#   processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    mov %r2, %r10
    sub %r2, 1
    mov %r0, 0
    exit
