# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20270788 (campaign seed 20261128), reduced
# probe: pointer-arithmetic/map value + an unbounded scalar, spilled
# ours: rejected: math between map_value pointer and register with unbounded min value is not allowed
# kernel: rejected: math between map_value pointer and register with unbounded min value is not allowed
# kernel log, last lines:
#   5: (bf) r2 = r10                      ; R2=fp0 R10=fp0
#   6: (07) r2 += -4                      ; R2=fp-4
#   7: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=1,map=arr,ks=4,vs=16)
#   8: (15) if r0 == 0x0 goto pc+6        ; R0=map_value(map=arr,ks=4,vs=16)
#   9: (bf) r2 = r0                       ; R0=map_value(map=arr,ks=4,vs=16) R2=map_value(map=arr,ks=4,vs=16)
#   10: (bf) r1 = r7                      ; R1=pkt(r=0) R7=pkt(r=0)
#   11: (07) r1 += 8                      ; R1=pkt(off=8,r=0)
#   12: (2d) if r1 > r8 goto pc+2         ; R1=pkt(off=8,r=8) R8=pkt_end()
#   13: (79) r9 = *(u64 *)(r7 +0)         ; R7=pkt(r=8) R9=scalar()
#   14: (0f) r2 += r9
#   math between map_value pointer and register with unbounded min value is not allowed
#   processed 14 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    mov %r6, %r1
    ldxw %r7, [%r6+0]
    ldxw %r8, [%r6+4]
    lddw %r1, map:arr
    mov %r2, %r10
    add %r2, -4
    call map_lookup_elem
    jeq %r0, 0, out
    mov %r2, %r0
    mov %r1, %r7
    add %r1, 8
    jgt %r1, %r8, out
    ldxdw %r9, [%r7+0]
    add %r2, %r9
out:
    exit
