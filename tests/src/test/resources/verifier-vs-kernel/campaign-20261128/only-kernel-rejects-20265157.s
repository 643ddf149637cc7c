# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20265157 (campaign seed 20261128)
# probe: pointer-arithmetic/stack - 1, then read
# ours: rejected: R2 subtraction from stack pointer prohibited
# kernel: rejected: R2 subtraction from stack pointer prohibited
# kernel log, last lines:
#   0: R1=ctx() R10=fp0
#   0: (bf) r6 = r1                       ; R1=ctx() R6=ctx()
#   1: (61) r7 = *(u32 *)(r6 +0)          ; R6=ctx() R7=pkt(r=0)
#   2: (61) r8 = *(u32 *)(r6 +4)          ; R6=ctx() R8=pkt_end()
#   3: (7a) *(u64 *)(r10 -8) = 0          ; R10=fp0 fp-8=0
#   4: (7a) *(u64 *)(r10 -16) = 0         ; R10=fp0 fp-16=0
#   5: (bf) r2 = r10                      ; R2=fp0 R10=fp0
#   6: (07) r2 += -16                     ; R2=fp-16
#   7: (17) r2 -= 1
#   R2 subtraction from stack pointer prohibited
#   processed 8 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
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
    sub %r2, 1
    ldxb %r3, [%r2+0]
out:
    mov %r0, 2
    exit
