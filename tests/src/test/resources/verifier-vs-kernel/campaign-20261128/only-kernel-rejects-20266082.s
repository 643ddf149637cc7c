# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20266082 (campaign seed 20261128), reduced
# probe: pointer-arithmetic/context + an unbounded scalar, spilled
# ours: rejected: math between ctx pointer and register with unbounded min value is not allowed
# kernel: rejected: math between ctx pointer and register with unbounded min value is not allowed
# kernel log, last lines:
#   0: R1=ctx() R10=fp0
#   0: (bf) r6 = r1                       ; R1=ctx() R6=ctx()
#   1: (61) r7 = *(u32 *)(r6 +0)          ; R6=ctx() R7=pkt(r=0)
#   2: (61) r8 = *(u32 *)(r6 +4)          ; R6=ctx() R8=pkt_end()
#   3: (bf) r2 = r6                       ; R2=ctx() R6=ctx()
#   4: (bf) r1 = r7                       ; R1=pkt(r=0) R7=pkt(r=0)
#   5: (07) r1 += 8                       ; R1=pkt(off=8,r=0)
#   6: (2d) if r1 > r8 goto pc+2          ; R1=pkt(off=8,r=8) R8=pkt_end()
#   7: (79) r9 = *(u64 *)(r7 +0)          ; R7=pkt(r=8) R9=scalar()
#   8: (0f) r2 += r9
#   math between ctx pointer and register with unbounded min value is not allowed
#   processed 9 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    mov %r6, %r1
    ldxw %r7, [%r6+0]
    ldxw %r8, [%r6+4]
    mov %r2, %r6
    mov %r1, %r7
    add %r1, 8
    jgt %r1, %r8, out
    ldxdw %r9, [%r7+0]
    add %r2, %r9
out:
    mov %r0, 0
    exit
