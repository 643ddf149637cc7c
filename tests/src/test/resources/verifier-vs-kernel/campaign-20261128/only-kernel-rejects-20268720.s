# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20268720 (campaign seed 20261128)
# probe: stack-offset/packet byte <= 7 (signed), 32 bytes below r10-32 written, r10-128 + offset, 8 bytes
# ours: rejected: misaligned stack access
# kernel: rejected: misaligned stack access off (0x0; 0x7)+-128+0 size 8
# kernel log, last lines:
#   6: (71) r9 = *(u8 *)(r7 +0)           ; R7=pkt(r=8) R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
#   7: (65) if r9 s> 0x7 goto pc+8        ; R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7))
#   8: (7a) *(u64 *)(r10 -64) = 0         ; R10=fp0 fp-64=0
#   9: (7a) *(u64 *)(r10 -56) = 0         ; R10=fp0 fp-56=0
#   10: (7a) *(u64 *)(r10 -48) = 0        ; R10=fp0 fp-48=0
#   11: (7a) *(u64 *)(r10 -40) = 0        ; R10=fp0 fp-40=0
#   12: (bf) r2 = r10                     ; R2=fp0 R10=fp0
#   13: (07) r2 += -128                   ; R2=fp-128
#   14: (0f) r2 += r9                     ; R2=fp(off=-128,smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7)) R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7))
#   15: (7a) *(u64 *)(r2 +0) = 7
#   misaligned stack access off (0x0; 0x7)+-128+0 size 8
#   processed 16 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
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
    ldxb %r9, [%r7+0]
    jsgt %r9, 7, out
    stdw [%r10-64], 0
    stdw [%r10-56], 0
    stdw [%r10-48], 0
    stdw [%r10-40], 0
    mov %r2, %r10
    add %r2, -128
    add %r2, %r9
    stdw [%r2+0], 7
out:
    mov %r0, 2
    exit
