# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20263594 (campaign seed 20261128)
# probe: stack-offset/packet u64 <= 7 (unsigned), 0 bytes below r10-64 written, r10-64 + offset, 8 bytes
# ours: rejected: misaligned stack access
# kernel: rejected: misaligned stack access off (0x0; 0x7)+-64+0 size 8
# kernel log, last lines:
#   2: (61) r8 = *(u32 *)(r6 +4)          ; R6=ctx() R8=pkt_end()
#   3: (bf) r1 = r7                       ; R1=pkt(r=0) R7=pkt(r=0)
#   4: (07) r1 += 8                       ; R1=pkt(off=8,r=0)
#   5: (2d) if r1 > r8 goto pc+6          ; R1=pkt(off=8,r=8) R8=pkt_end()
#   6: (79) r9 = *(u64 *)(r7 +0)          ; R7=pkt(r=8) R9=scalar()
#   7: (25) if r9 > 0x7 goto pc+4         ; R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7))
#   8: (bf) r2 = r10                      ; R2=fp0 R10=fp0
#   9: (07) r2 += -64                     ; R2=fp-64
#   10: (0f) r2 += r9                     ; R2=fp(off=-64,smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7)) R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7))
#   11: (79) r3 = *(u64 *)(r2 +0)
#   misaligned stack access off (0x0; 0x7)+-64+0 size 8
#   processed 12 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
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
    jgt %r9, 7, out
    mov %r2, %r10
    add %r2, -64
    add %r2, %r9
    ldxdw %r3, [%r2+0]
out:
    mov %r0, 2
    exit
