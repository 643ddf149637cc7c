# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20269363 (campaign seed 20261128)
# probe: stack-offset/packet u64 % 64, 32 bytes below r10-32 written, r10-128 + offset, 4 bytes
# ours: rejected: math between fp pointer and register with unbounded min value is not allowed
# kernel: rejected: math between fp pointer and register with unbounded min value is not allowed
# kernel log, last lines:
#   5: (2d) if r1 > r8 goto pc+10         ; R1=pkt(off=8,r=8) R8=pkt_end()
#   6: (79) r9 = *(u64 *)(r7 +0)          ; R7=pkt(r=8) R9=scalar()
#   7: (97) r9 %= 64                      ; R9=scalar()
#   8: (7a) *(u64 *)(r10 -64) = 0         ; R10=fp0 fp-64=0
#   9: (7a) *(u64 *)(r10 -56) = 0         ; R10=fp0 fp-56=0
#   10: (7a) *(u64 *)(r10 -48) = 0        ; R10=fp0 fp-48=0
#   11: (7a) *(u64 *)(r10 -40) = 0        ; R10=fp0 fp-40=0
#   12: (bf) r2 = r10                     ; R2=fp0 R10=fp0
#   13: (07) r2 += -128                   ; R2=fp-128
#   14: (0f) r2 += r9
#   math between fp pointer and register with unbounded min value is not allowed
#   processed 15 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    mov %r6, %r1
    ldxw %r7, [%r6+0]
    ldxw %r8, [%r6+4]
    mov %r1, %r7
    add %r1, 8
    jgt %r1, %r8, out
    ldxdw %r9, [%r7+0]
    mod %r9, 64
    stdw [%r10-64], 0
    stdw [%r10-56], 0
    stdw [%r10-48], 0
    stdw [%r10-40], 0
    mov %r2, %r10
    add %r2, -128
    add %r2, %r9
    stw [%r2+0], 7
out:
    mov %r0, 2
    exit
