# Only the kernel's verifier rejected this program when it was found (the helper's run-time check kept it safe); ours rejects it too since issue 11. bpf fuzz --verifier, seed 20261165 (campaign seed 20261128), reduced
# probe: helper-arguments/key in the packet, 2 bytes checked
# ours: rejected: R2 offset is outside of the packet
# kernel: rejected: R2 offset is outside of the packet
# kernel log, last lines:
#   0: R1=ctx() R10=fp0
#   0: (bf) r6 = r1                       ; R1=ctx() R6=ctx()
#   1: (61) r7 = *(u32 *)(r6 +0)          ; R6=ctx() R7=pkt(r=0)
#   2: (bf) r2 = r7                       ; R2=pkt(r=0) R7=pkt(r=0)
#   3: (18) r1 = 0xADDR       ; R1=map_ptr(map=h,ks=4,vs=16)
#   5: (85) call bpf_map_lookup_elem#1
#   invalid access to packet, off=0 size=4, R2(id=0,off=0,r=0)
#   R2 offset is outside of the packet
#   processed 5 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    mov %r6, %r1
    ldxw %r7, [%r6+0]
    mov %r2, %r7
    lddw %r1, map:h
    call map_lookup_elem
    exit
