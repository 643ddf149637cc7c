# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20266196 (campaign seed 20261128)
# probe: pointer-arithmetic/map value * 2, spilled
# ours: rejected: R2 pointer arithmetic with *= operator prohibited
# kernel: rejected: R2 pointer arithmetic with *= operator prohibited
# kernel log, last lines:
#   1: (61) r7 = *(u32 *)(r6 +0)          ; R6=ctx() R7=pkt(r=0)
#   2: (61) r8 = *(u32 *)(r6 +4)          ; R6=ctx() R8=pkt_end()
#   3: (62) *(u32 *)(r10 -4) = 0          ; R10=fp0 fp-8=0000????
#   4: (18) r1 = 0xADDR       ; R1=map_ptr(map=arr,ks=4,vs=16)
#   6: (bf) r2 = r10                      ; R2=fp0 R10=fp0
#   7: (07) r2 += -4                      ; R2=fp-4
#   8: (85) call bpf_map_lookup_elem#1    ; R0=map_value(map=arr,ks=4,vs=16)
#   9: (15) if r0 == 0x0 goto pc+3        ; R0=map_value(map=arr,ks=4,vs=16)
#   10: (bf) r2 = r0                      ; R0=map_value(map=arr,ks=4,vs=16) R2=map_value(map=arr,ks=4,vs=16)
#   11: (27) r2 *= 2
#   R2 pointer arithmetic with *= operator prohibited
#   processed 11 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    mov %r6, %r1
    ldxw %r7, [%r6+0]
    ldxw %r8, [%r6+4]
    stw [%r10-4], 0
    lddw %r1, map:arr
    mov %r2, %r10
    add %r2, -4
    call map_lookup_elem
    jeq %r0, 0, out
    mov %r2, %r0
    mul %r2, 2
    stxdw [%r10-32], %r2
out:
    mov %r0, 2
    exit
