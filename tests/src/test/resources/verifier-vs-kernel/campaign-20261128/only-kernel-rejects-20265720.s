# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20265720 (campaign seed 20261128)
# probe: pointer-arithmetic/context * 2, spilled
# ours: rejected: R2 pointer arithmetic with *= operator prohibited
# kernel: rejected: R2 pointer arithmetic with *= operator prohibited
# kernel log, last lines:
#   0: R1=ctx() R10=fp0
#   0: (bf) r6 = r1                       ; R1=ctx() R6=ctx()
#   1: (61) r7 = *(u32 *)(r6 +0)          ; R6=ctx() R7=pkt(r=0)
#   2: (61) r8 = *(u32 *)(r6 +4)          ; R6=ctx() R8=pkt_end()
#   3: (bf) r2 = r6                       ; R2=ctx() R6=ctx()
#   4: (27) r2 *= 2
#   R2 pointer arithmetic with *= operator prohibited
#   processed 5 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    mov %r6, %r1
    ldxw %r7, [%r6+0]
    ldxw %r8, [%r6+4]
    mov %r2, %r6
    mul %r2, 2
    stxdw [%r10-32], %r2
out:
    mov %r0, 2
    exit
