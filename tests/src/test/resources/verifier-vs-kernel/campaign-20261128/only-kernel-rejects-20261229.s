# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20261229 (campaign seed 20261128), reduced
# probe: stack-offset/signed packet byte <= 7 (signed), 64 bytes below r10-0 written, r10-128 + offset, 2 bytes
# ours: rejected: misaligned stack access
# kernel: rejected: misaligned stack access off (0x0; 0xffffffffffffffff)+-128+0 size 2
# kernel log, last lines:
#   2: (61) r8 = *(u32 *)(r6 +4)          ; R6=ctx() R8=pkt_end()
#   3: (bf) r1 = r7                       ; R1=pkt(r=0) R7=pkt(r=0)
#   4: (07) r1 += 1                       ; R1=pkt(off=1,r=0)
#   5: (2d) if r1 > r8 goto pc+6          ; R1=pkt(off=1,r=1) R8=pkt_end()
#   6: (91) r9 = *(s8 *)(r7 +0)           ; R7=pkt(r=1) R9=scalar(smin=smin32=-128,smax=smax32=127)
#   7: (65) if r9 s> 0x7 goto pc+4        ; R9=scalar(smin=smin32=-128,smax=smax32=7)
#   8: (bf) r2 = r10                      ; R2=fp0 R10=fp0
#   9: (07) r2 += -128                    ; R2=fp-128
#   10: (0f) r2 += r9                     ; R2=fp(off=-128,smin=smin32=-128,smax=smax32=7) R9=scalar(smin=smin32=-128,smax=smax32=7)
#   11: (6a) *(u16 *)(r2 +0) = 0
#   misaligned stack access off (0x0; 0xADDR)+-128+0 size 2
#   processed 12 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    mov %r6, %r1
    ldxw %r7, [%r6+0]
    ldxw %r8, [%r6+4]
    mov %r1, %r7
    add %r1, 1
    jgt %r1, %r8, out
    ldxsb %r9, [%r7+0]
    jsgt %r9, 7, out
    mov %r2, %r10
    add %r2, -128
    add %r2, %r9
    sth [%r2+0], 0
out:
    mov %r0, 0
    exit
