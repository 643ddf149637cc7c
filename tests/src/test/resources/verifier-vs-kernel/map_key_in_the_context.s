# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20261212 (campaign seed 20261128), reduced
# probe: helper-arguments/key in the context
# ours: accepted
# kernel: rejected: R2 type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_
# kernel log, last lines:
#   0: R1=ctx() R10=fp0
#   0: (bf) r6 = r1                       ; R1=ctx() R6=ctx()
#   1: (bf) r2 = r6                       ; R2=ctx() R6=ctx()
#   2: (18) r1 = 0xADDR       ; R1=map_ptr(map=h,ks=4,vs=16)
#   4: (85) call bpf_map_lookup_elem#1
#   R2 type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_
#   processed 4 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    mov %r6, %r1
    mov %r2, %r6
    lddw %r1, map:h
    call map_lookup_elem
    exit
