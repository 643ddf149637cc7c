# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20265642 (campaign seed 20261128), reduced
# probe: pointer-arithmetic/map value + 1 (32-bit), spilled
# ours: rejected: R2 32-bit pointer arithmetic prohibited
# kernel: rejected: R2 32-bit pointer arithmetic prohibited
# kernel log, last lines:
#   0: R1=ctx() R10=fp0
#   0: (18) r1 = 0xADDR       ; R1=map_ptr(map=arr,ks=4,vs=16)
#   2: (bf) r2 = r10                      ; R2=fp0 R10=fp0
#   3: (07) r2 += -4                      ; R2=fp-4
#   4: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=1,map=arr,ks=4,vs=16)
#   5: (15) if r0 == 0x0 goto pc+2        ; R0=map_value(map=arr,ks=4,vs=16)
#   6: (bf) r2 = r0                       ; R0=map_value(map=arr,ks=4,vs=16) R2=map_value(map=arr,ks=4,vs=16)
#   7: (04) w2 += 1
#   R2 32-bit pointer arithmetic prohibited
#   processed 7 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    lddw %r1, map:arr
    mov %r2, %r10
    add %r2, -4
    call map_lookup_elem
    jeq %r0, 0, out
    mov %r2, %r0
    add32 %r2, 1
out:
    exit
