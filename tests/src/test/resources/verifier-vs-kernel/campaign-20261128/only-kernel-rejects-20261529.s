# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20261529 (campaign seed 20261128), reduced
# probe: stack-offset/packet u64 % 65, 64 bytes below r10-0 written, r10-512 + offset, 8 bytes
# ours: rejected: math between fp pointer and register with unbounded min value is not allowed
# kernel: rejected: math between fp pointer and register with unbounded min value is not allowed
# kernel log, last lines:
#   0: R1=ctx() R10=fp0
#   0: (b7) r9 = 0                        ; R9=0
#   1: (97) r9 %= 1                       ; R9=scalar()
#   2: (bf) r2 = r10                      ; R2=fp0 R10=fp0
#   3: (0f) r2 += r9
#   math between fp pointer and register with unbounded min value is not allowed
#   processed 4 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    mov %r9, 0
    mod %r9, 1
    mov %r2, %r10
    add %r2, %r9
    mov %r0, 0
    exit
