# Both verifiers reject this program (ours since the context-rewrite work refuses any access through a moved context pointer). bpf fuzz --verifier, seed 20261261 (campaign seed 20261128), reduced
# probe: pointer-arithmetic/context + (packet byte & 7), then read
# ours: rejected: dereference of modified ctx ptr R2 disallowed
# kernel: rejected: variable ctx access var_off=(0x0; 0xff) disallowed
# kernel log, last lines:
#   0: (bf) r6 = r1                       ; R1=ctx() R6=ctx()
#   1: (61) r7 = *(u32 *)(r6 +0)          ; R6=ctx() R7=pkt(r=0)
#   2: (61) r8 = *(u32 *)(r6 +4)          ; R6=ctx() R8=pkt_end()
#   3: (bf) r2 = r6                       ; R2=ctx() R6=ctx()
#   4: (bf) r1 = r7                       ; R1=pkt(r=0) R7=pkt(r=0)
#   5: (07) r1 += 1                       ; R1=pkt(off=1,r=0)
#   6: (2d) if r1 > r8 goto pc+3          ; R1=pkt(off=1,r=1) R8=pkt_end()
#   7: (71) r9 = *(u8 *)(r7 +0)           ; R7=pkt(r=1) R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
#   8: (0f) r2 += r9                      ; R2=ctx(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
#   9: (71) r3 = *(u8 *)(r2 +0)
#   variable ctx access var_off=(0x0; 0xff) disallowed
#   processed 10 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    mov %r6, %r1
    ldxw %r7, [%r6+0]
    ldxw %r8, [%r6+4]
    mov %r2, %r6
    mov %r1, %r7
    add %r1, 1
    jgt %r1, %r8, out
    ldxb %r9, [%r7+0]
    add %r2, %r9
    ldxb %r3, [%r2+0]
out:
    mov %r0, 0
    exit
