# Engines diverge: fuzz seed 5118 (campaign seed 5000)
# input (128 bytes): bd7f00397f8080800e7f800100ff0000dc800180017f00b33801807faa010001005eff7f017f0100ff7f7b807fff01ff00016300007fff00ff7fff00017f0055ce7f01ff018000017fff805680000000558000800001ffbe0001e5ff000100ff7f007f80000dff0ad680ffdb0180088088087f00807f80000101ff8080ffff80
#  interpreter: runtime error: fuzz-5118.s: function 'main': insn 6 'stxdw [%r9+16], %r6': write of 8 bytes at 0x7f1df0534501 is out of bounds of packet (offset -46, size 65)
#  native:      runtime error: fuzz-5118.s: function 'main': insn 8 'stxdw [%r9+120], %r8': write of 8 bytes at 0x7f1df0534569 is out of bounds of packet (offset 58, size 65)
#  differs in error: runtime: fuzz-5118.s: function 'main': insn 6 'stxdw [%r9+16], %r6': write of 8 bytes at 0x7f1df0534501 is out of bounds of packet (offset -46, size 65) vs runtime: fuzz-5118.s: function 'main': insn 8 'stxdw [%r9+120], %r8': write of 8 bytes at 0x7f1df0534569 is out of bounds of packet (offset 58, size 65)
#  differs in memory: bd7f00397f8080800e7f800100ff0000dc800180017f00b33801807faa010001005eff7f017f0100ff7f7b807fff01ff00016300007fff00ff7fff00017f0055ce7f01ff018000017fff805680000000558000800001ffbe0001e5ff000100ff7f007f80000dff0ad680ffdb0180088088087f00807f80000101ff8080ffff80 vs bd7f00397f8080800e7f800100ff0000dc000000000000000001807faa010001005eff7f017f0100ff7f7b807fff01ff00016300007fff00ff7fff00017f0055ce7f01ff018000017fff805680000000558000800001ffbe0001e5ff000100ff7f007f80000dff0ad680ffdb0180088088087f00807f80000101ff8080ffff80
#  differs in map arr: [0, 0, 0, 0] vs [139766562768112, 0, 0, 0]
# replay: bpf run FILE --program main --packet bd7f00397f8080800e7f800100ff0000dc800180017f00b33801807faa010001005eff7f017f0100ff7f7b807fff01ff00016300007fff00ff7fff00017f0055ce7f01ff018000017fff805680000000558000800001ffbe0001e5ff000100ff7f007f80000dff0ad680ffdb0180088088087f00807f80000101ff8080ffff80 --maps --engine interpreter|native
.map arr array key=4 value=8 entries=4
.map h hash key=4 value=8 entries=3
.map pc percpu_array key=4 value=8 entries=2
.map jt prog_array key=4 value=4 entries=3
.program main xdp
    ldxw %r9, [%r1]                          # 0
    mov %r2, 63                              # 1
    mov %r6, 0                               # 2
    mov %r8, 0                               # 3
    call 44                                  # 4
    add %r9, 1                               # 5
    stxdw [%r9+16], %r6                      # 6
    call local +2                            # 7
    stxdw [%r9+120], %r8                     # 8
    exit                                     # 9
main_sub:
    stw [%r10-72], 0                         # 10
    lddw %r1, map:arr                        # 11
    mov %r2, %r10                            # 13
    add %r2, -72                             # 14
    mov %r3, %r10                            # 15
    add %r3, -80                             # 16
    mov %r4, 0                               # 17
    call 2                                   # 18
    exit                                     # 19
.program tail xdp
    call local +1                            # 0
    exit                                     # 1
tail_sub:
    mov %r0, 0                               # 2
    exit                                     # 3
