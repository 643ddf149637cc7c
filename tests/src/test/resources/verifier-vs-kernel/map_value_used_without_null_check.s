# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20261148 (campaign seed 20261128), reduced
# probe: map-value-null/h key 5, 1 bytes at 16, used before the check
# ours: accepted
# kernel: rejected: R0 invalid mem access 'map_value_or_null'
# kernel log, last lines:
#   0: R1=ctx() R10=fp0
#   0: (18) r1 = 0xADDR       ; R1=map_ptr(map=h,ks=4,vs=16)
#   2: (bf) r2 = r10                      ; R2=fp0 R10=fp0
#   3: (07) r2 += -4                      ; R2=fp-4
#   4: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=1,map=h,ks=4,vs=16)
#   5: (71) r3 = *(u8 *)(r0 +16)
#   R0 invalid mem access 'map_value_or_null'
#   processed 5 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    lddw %r1, map:h
    mov %r2, %r10
    add %r2, -4
    call map_lookup_elem
    ldxb %r3, [%r0+16]
    exit
