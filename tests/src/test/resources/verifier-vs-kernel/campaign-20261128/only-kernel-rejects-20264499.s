# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20264499 (campaign seed 20261128)
# probe: stack-offset/packet u16 & 15, 64 bytes below r10-0 written, r10-128 + offset, 4 bytes
# ours: rejected: misaligned stack access
# kernel: rejected: misaligned stack access off (0x0; 0xf)+-128+0 size 4
# kernel log, last lines:
#   10: (7a) *(u64 *)(r10 -48) = 0        ; R10=fp0 fp-48=0
#   11: (7a) *(u64 *)(r10 -40) = 0        ; R10=fp0 fp-40=0
#   12: (7a) *(u64 *)(r10 -32) = 0        ; R10=fp0 fp-32=0
#   13: (7a) *(u64 *)(r10 -24) = 0        ; R10=fp0 fp-24=0
#   14: (7a) *(u64 *)(r10 -16) = 0        ; R10=fp0 fp-16=0
#   15: (7a) *(u64 *)(r10 -8) = 0         ; R10=fp0 fp-8=0
#   16: (bf) r2 = r10                     ; R2=fp0 R10=fp0
#   17: (07) r2 += -128                   ; R2=fp-128
#   18: (0f) r2 += r9                     ; R2=fp(off=-128,smin=smin32=0,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf)) R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf))
#   19: (62) *(u32 *)(r2 +0) = 7
#   misaligned stack access off (0x0; 0xf)+-128+0 size 4
#   processed 20 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
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
    ldxh %r9, [%r7+0]
    and %r9, 15
    stdw [%r10-64], 0
    stdw [%r10-56], 0
    stdw [%r10-48], 0
    stdw [%r10-40], 0
    stdw [%r10-32], 0
    stdw [%r10-24], 0
    stdw [%r10-16], 0
    stdw [%r10-8], 0
    mov %r2, %r10
    add %r2, -128
    add %r2, %r9
    stw [%r2+0], 7
out:
    mov %r0, 2
    exit
