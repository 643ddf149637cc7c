# Both verifiers reject this program (ours since the program-type rules check every context offset, width and access). bpf fuzz --verifier, seed 20261168 (campaign seed 20261128), reduced
# probe: context/read 4 bytes at 24
# ours: rejected: context access at offset 24 (4 bytes): outside struct xdp_md (24 bytes)
# kernel: rejected: invalid bpf_context access off=24 size=4
# kernel log, last lines:
#   0: R1=ctx() R10=fp0
#   0: (bf) r6 = r1                       ; R1=ctx() R6=ctx()
#   1: (61) r3 = *(u32 *)(r6 +24)
#   invalid bpf_context access off=24 size=4
#   processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    mov %r6, %r1
    ldxw %r3, [%r6+24]
    mov %r0, 0
    exit
