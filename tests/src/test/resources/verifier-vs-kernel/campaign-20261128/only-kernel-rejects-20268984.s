# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20268984 (campaign seed 20261128)
# probe: stack-offset/packet byte <= 64 (signed), 0 bytes below r10-64 written, r10-512 + offset, 2 bytes
# ours: rejected: misaligned stack access
# kernel: rejected: misaligned stack access off (0x0; 0x7f)+-512+0 size 2
# kernel log, last lines:
#   2: (61) r8 = *(u32 *)(r6 +4)          ; R6=ctx() R8=pkt_end()
#   3: (bf) r1 = r7                       ; R1=pkt(r=0) R7=pkt(r=0)
#   4: (07) r1 += 8                       ; R1=pkt(off=8,r=0)
#   5: (2d) if r1 > r8 goto pc+6          ; R1=pkt(off=8,r=8) R8=pkt_end()
#   6: (71) r9 = *(u8 *)(r7 +0)           ; R7=pkt(r=8) R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
#   7: (65) if r9 s> 0x40 goto pc+4       ; R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=64,var_off=(0x0; 0x7f))
#   8: (bf) r2 = r10                      ; R2=fp0 R10=fp0
#   9: (07) r2 += -512                    ; R2=fp-512
#   10: (0f) r2 += r9                     ; R2=fp(off=-512,smin=smin32=0,smax=umax=smax32=umax32=64,var_off=(0x0; 0x7f)) R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=64,var_off=(0x0; 0x7f))
#   11: (6a) *(u16 *)(r2 +0) = 7
#   misaligned stack access off (0x0; 0x7f)+-512+0 size 2
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
    ldxb %r9, [%r7+0]
    jsgt %r9, 64, out
    mov %r2, %r10
    add %r2, -512
    add %r2, %r9
    sth [%r2+0], 7
out:
    mov %r0, 2
    exit
