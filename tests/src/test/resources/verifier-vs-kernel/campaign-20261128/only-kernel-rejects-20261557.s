# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed 20261557 (campaign seed 20261128), reduced
# probe: stack-offset/signed packet byte <= 7 (unsigned), 64 bytes below r10-0 written, r10-8 + offset, 1 bytes
# ours: rejected: R2 subtraction from stack pointer prohibited
# kernel: rejected: R2 subtraction from stack pointer prohibited
# kernel log, last lines:
#   0: R1=ctx() R10=fp0
#   0: (b7) r9 = 0                        ; R9=0
#   1: (bf) r2 = r10                      ; R2=fp0 R10=fp0
#   2: (1f) r2 -= r9
#   R2 subtraction from stack pointer prohibited
#   processed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
# replay: bpf verify --kernel FILE
.map arr array key=4 value=16 entries=4
.map h hash key=4 value=16 entries=4
.program main xdp
    mov %r9, 0
    mov %r2, %r10
    sub %r2, %r9
    mov %r0, 0
    exit
