# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20261511 (campaign seed 20261128), reduced
# probe: pointer-arithmetic/packet end + 1, spilled
# ours: accepted
# kernel: rejected: R2 pointer arithmetic on pkt_end prohibited
# kernel log, last lines:
#   0: R1=ctx() R10=fp0
#   0: (bf) r6 = r1                       ; R1=ctx() R6=ctx()
#   1: (61) r8 = *(u32 *)(r6 +4)          ; R6=ctx() R8=pkt_end()
#   2: (bf) r2 = r8                       ; R2=pkt_end() R8=pkt_end()
#   3: (07) r2 += 1
#   R2 pointer arithmetic on pkt_end prohibited
#   processed 4 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    mov %r6, %r1
    ldxw %r8, [%r6+4]
    mov %r2, %r8
    add %r2, 1
    mov %r0, 0
    exit
