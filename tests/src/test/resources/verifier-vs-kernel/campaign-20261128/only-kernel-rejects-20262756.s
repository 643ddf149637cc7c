# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20262756 (campaign seed 20261128)
# probe: stack-offset/packet u16 & 7, 32 bytes below r10-32 written, r10-64 + offset, 2 bytes
# ours: rejected: R2 subtraction from stack pointer prohibited
# kernel: rejected: R2 subtraction from stack pointer prohibited
# kernel log, last lines:
#   5: (2d) if r1 > r8 goto pc+10         ; R1=pkt(off=8,r=8) R8=pkt_end()
#   6: (69) r9 = *(u16 *)(r7 +0)          ; R7=pkt(r=8) R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
#   7: (57) r9 &= 7                       ; R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7))
#   8: (7a) *(u64 *)(r10 -64) = 0         ; R10=fp0 fp-64=0
#   9: (7a) *(u64 *)(r10 -56) = 0         ; R10=fp0 fp-56=0
#   10: (7a) *(u64 *)(r10 -48) = 0        ; R10=fp0 fp-48=0
#   11: (7a) *(u64 *)(r10 -40) = 0        ; R10=fp0 fp-40=0
#   12: (bf) r2 = r10                     ; R2=fp0 R10=fp0
#   13: (07) r2 += -64                    ; R2=fp-64
#   14: (1f) r2 -= r9
#   R2 subtraction from stack pointer prohibited
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
    ldxh %r9, [%r7+0]
    and %r9, 7
    stdw [%r10-64], 0
    stdw [%r10-56], 0
    stdw [%r10-48], 0
    stdw [%r10-40], 0
    mov %r2, %r10
    add %r2, -64
    sub %r2, %r9
    sth [%r2+0], 7
out:
    mov %r0, 2
    exit
