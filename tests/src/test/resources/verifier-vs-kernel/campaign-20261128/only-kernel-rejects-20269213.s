# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20269213 (campaign seed 20261128)
# probe: stack-offset/packet u16 & 15, 32 bytes below r10-32 written, r10-128 + offset, 2 bytes
# ours: rejected: misaligned stack access
# kernel: rejected: misaligned stack access off (0x0; 0xf)+-128+0 size 2
# kernel log, last lines:
#   6: (69) r9 = *(u16 *)(r7 +0)          ; R7=pkt(r=8) R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
#   7: (57) r9 &= 15                      ; R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf))
#   8: (7a) *(u64 *)(r10 -64) = 0         ; R10=fp0 fp-64=0
#   9: (7a) *(u64 *)(r10 -56) = 0         ; R10=fp0 fp-56=0
#   10: (7a) *(u64 *)(r10 -48) = 0        ; R10=fp0 fp-48=0
#   11: (7a) *(u64 *)(r10 -40) = 0        ; R10=fp0 fp-40=0
#   12: (bf) r2 = r10                     ; R2=fp0 R10=fp0
#   13: (07) r2 += -128                   ; R2=fp-128
#   14: (0f) r2 += r9                     ; R2=fp(off=-128,smin=smin32=0,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf)) R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf))
#   15: (69) r3 = *(u16 *)(r2 +0)
#   misaligned stack access off (0x0; 0xf)+-128+0 size 2
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
    ldxh %r9, [%r7+0]
    and %r9, 15
    stdw [%r10-64], 0
    stdw [%r10-56], 0
    stdw [%r10-48], 0
    stdw [%r10-40], 0
    mov %r2, %r10
    add %r2, -128
    add %r2, %r9
    ldxh %r3, [%r2+0]
out:
    mov %r0, 2
    exit
