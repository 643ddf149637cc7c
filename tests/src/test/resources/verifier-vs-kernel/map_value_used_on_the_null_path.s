# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20261128 (campaign seed 20261128), reduced
# probe: map-value-null/h key 2, 1 bytes at 15, check inverted (used when NULL)
# ours: accepted
# kernel: rejected: R0 invalid mem access 'scalar'
# kernel log, last lines:
#   0: R1=ctx() R10=fp0
#   0: (18) r1 = 0xADDR       ; R1=map_ptr(map=h,ks=4,vs=16)
#   2: (bf) r2 = r10                      ; R2=fp0 R10=fp0
#   3: (07) r2 += -4                      ; R2=fp-4
#   4: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=1,map=h,ks=4,vs=16)
#   5: (55) if r0 != 0x0 goto pc+1        ; R0=0
#   6: (71) r3 = *(u8 *)(r0 +15)
#   R0 invalid mem access 'scalar'
#   processed 6 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    lddw %r1, map:h
    mov %r2, %r10
    add %r2, -4
    call map_lookup_elem
    jne %r0, 0, out
    ldxb %r3, [%r0+15]
out:
    exit
