# An skb_load_bytes that fails (8 bytes from offset 126 of a 128-byte packet) leaves zeros in its destination, as
# the kernel's does. Found by the three-way campaign (bpf fuzz --context tc, seed 40): both our engines left the
# destination as it was, so r0 was 1 where the kernel's was 0.
# input (128 bytes): 00000000000000000000000088b5000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
# options: bpf.InstructionLimit=100000
# expect r0: 0
.program main tc
    stdw [%r10-8], 1
    mov %r2, 126
    mov %r3, %r10
    add %r3, -8
    mov %r4, 8
    call skb_load_bytes
    ldxdw %r0, [%r10-8]
    exit
