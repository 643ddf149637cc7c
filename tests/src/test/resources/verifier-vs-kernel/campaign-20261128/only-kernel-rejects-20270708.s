# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20270708 (campaign seed 20261128)
# probe: pointer-arithmetic/stack + an unbounded scalar, spilled
# ours: rejected: math between fp pointer and register with unbounded min value is not allowed
# kernel: rejected: math between fp pointer and register with unbounded min value is not allowed
# kernel log, last lines:
#   2: (61) r8 = *(u32 *)(r6 +4)          ; R6=ctx() R8=pkt_end()
#   3: (7a) *(u64 *)(r10 -8) = 0          ; R10=fp0 fp-8=0
#   4: (7a) *(u64 *)(r10 -16) = 0         ; R10=fp0 fp-16=0
#   5: (bf) r2 = r10                      ; R2=fp0 R10=fp0
#   6: (07) r2 += -16                     ; R2=fp-16
#   7: (bf) r1 = r7                       ; R1=pkt(r=0) R7=pkt(r=0)
#   8: (07) r1 += 8                       ; R1=pkt(off=8,r=0)
#   9: (2d) if r1 > r8 goto pc+3          ; R1=pkt(off=8,r=8) R8=pkt_end()
#   10: (79) r9 = *(u64 *)(r7 +0)         ; R7=pkt(r=8) R9=scalar()
#   11: (0f) r2 += r9
#   math between fp pointer and register with unbounded min value is not allowed
#   processed 12 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    mov %r6, %r1
    ldxw %r7, [%r6+0]
    ldxw %r8, [%r6+4]
    stdw [%r10-8], 0
    stdw [%r10-16], 0
    mov %r2, %r10
    add %r2, -16
    mov %r1, %r7
    add %r1, 8
    jgt %r1, %r8, out
    ldxdw %r9, [%r7+0]
    add %r2, %r9
    stxdw [%r10-32], %r2
out:
    mov %r0, 2
    exit
