# Sums the bytes of its input (r1 = pointer, r2 = length) into a 16-bit ones'-complement checksum,
# the way IP and TCP headers are checked. Run it with: bin/bpf run examples/checksum.s --data FILE
    mov %r0, 0              # running sum
    mov %r3, 0              # index
loop:
    jge %r3, %r2, fold
    mov %r4, %r1
    add %r4, %r3
    ldxb %r5, [%r4]
    lsh %r5, 8              # even bytes are the high half of a 16-bit word
    mov %r6, %r3
    and %r6, 1
    jeq %r6, 0, add_it
    rsh %r5, 8              # odd bytes are the low half
add_it:
    add %r0, %r5
    add %r3, 1
    ja loop
fold:
    mov %r4, %r0
    rsh %r4, 16
    jeq %r4, 0, done
    and %r0, 0xffff
    add %r0, %r4
    ja fold
done:
    xor %r0, 0xffff
    exit
