# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20261129 (campaign seed 20261128), reduced
# probe: packet-bounds/checked 1, 8 bytes at -1, no check
# ours: accepted
# kernel: rejected: R7 offset is outside of the packet
# kernel log, last lines:
#   0: R1=ctx() R10=fp0
#   0: (bf) r6 = r1                       ; R1=ctx() R6=ctx()
#   1: (61) r7 = *(u32 *)(r6 +0)          ; R6=ctx() R7=pkt(r=0)
#   2: (7a) *(u64 *)(r7 -1) = 0
#   invalid access to packet, off=-1 size=8, R7(id=0,off=-1,r=0)
#   R7 offset is outside of the packet
#   processed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    mov %r6, %r1
    ldxw %r7, [%r6+0]
    stdw [%r7-1], 0
    mov %r0, 0
    exit
