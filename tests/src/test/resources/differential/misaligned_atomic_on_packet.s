# Engines diverge: fuzz seed 21295 (campaign seed 20000)
# input (128 bytes): 0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
#  interpreter: runtime error: fuzz-21295.s: function 'main_sub': insn 11 'lock or32 [%r9+32], %r6': misaligned atomic access at 0x7eff845f4291
#  native:      runtime error: fuzz-21295.s: function 'main': insn 5 'stxdw [%r9+120], %r8': write of 8 bytes at 0x7eff845f42e9 is out of bounds of packet (offset 121, size 128)
#  differs in error: runtime: fuzz-21295.s: function 'main_sub': insn 11 'lock or32 [%r9+32], %r6': misaligned atomic access at 0x7eff845f4291 vs runtime: fuzz-21295.s: function 'main': insn 5 'stxdw [%r9+120], %r8': write of 8 bytes at 0x7eff845f42e9 is out of bounds of packet (offset 121, size 128)
#  differs in memory: 0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000 vs 0000000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
# replay: bpf run FILE --program main --packet 0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000 --maps --engine interpreter|native
.map arr array key=4 value=8 entries=4
.map h hash key=4 value=8 entries=3
.map pc percpu_array key=4 value=8 entries=2
.map jt prog_array key=4 value=4 entries=3
.program main xdp
    ldxw %r9, [%r1]                          # 0
    mov %r8, 0                               # 1
    add %r9, 1                               # 2
    mov %r1, %r9                             # 3
    call local +2                            # 4
    stxdw [%r9+120], %r8                     # 5
    exit                                     # 6
main_sub:
    mov %r9, %r1                             # 7
    lddw %r6, 0x1                            # 8
    mov %r0, 0                               # 10
    lock or32 [%r9+32], %r6                  # 11
    exit                                     # 12
.program tail xdp
    mov %r0, 0                               # 0
    exit                                     # 1
