# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20264101 (campaign seed 20261128), reduced
# probe: pointer-arithmetic/context * 2, spilled
# ours: rejected: R2 pointer arithmetic with *= operator prohibited
# kernel: rejected: R2 pointer arithmetic with *= operator prohibited
# kernel log, last lines:
#   0: R1=ctx() R10=fp0
#   0: (bf) r6 = r1                       ; R1=ctx() R6=ctx()
#   1: (bf) r2 = r6                       ; R2=ctx() R6=ctx()
#   2: (27) r2 *= 0
#   R2 pointer arithmetic with *= operator prohibited
#   processed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    mov %r6, %r1
    mov %r2, %r6
    mul %r2, 0
    mov %r0, 0
    exit
