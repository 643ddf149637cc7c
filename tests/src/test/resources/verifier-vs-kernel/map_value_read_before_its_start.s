# Only the kernel's verifier rejected this program when it was found; ours rejects it too since issue 11. bpf fuzz --verifier, seed 20261237 (campaign seed 20261128), reduced
# probe: map-value-null/arr key 0, 8 bytes at -8, not checked
# ours: rejected: R0 min value is outside of the allowed memory range
# kernel: rejected: R0 min value is outside of the allowed memory range
# kernel log, last lines:
#   0: R1=ctx() R10=fp0
#   0: (62) *(u32 *)(r10 -4) = 0          ; R10=fp0 fp-8=0000????
#   1: (18) r1 = 0xADDR       ; R1=map_ptr(map=arr,ks=4,vs=16)
#   3: (bf) r2 = r10                      ; R2=fp0 R10=fp0
#   4: (07) r2 += -4                      ; R2=fp-4
#   5: (85) call bpf_map_lookup_elem#1    ; R0=map_value(map=arr,ks=4,vs=16)
#   6: (79) r3 = *(u64 *)(r0 -8)
#   invalid access to map value, value_size=16 off=-8 size=8
#   R0 min value is outside of the allowed memory range
#   processed 6 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    stw [%r10-4], 0
    lddw %r1, map:arr
    mov %r2, %r10
    add %r2, -4
    call map_lookup_elem
    ldxdw %r3, [%r0-8]
    exit
