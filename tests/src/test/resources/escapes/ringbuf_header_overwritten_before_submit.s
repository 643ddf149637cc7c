# Escape (issue 8, found by bpf fuzz --launder): a program writes before its ring-buffer record's payload,
# over the record's header, keeping the BUSY bit and setting a length of 1 MiB; ringbuf_submit accepts the
# record and the host's consume() then copies 1 MiB out of a 4 KiB ring: the JVM dies (SIGSEGV in
# Unsafe.copyMemory) on both engines. The header must be out of the program's reach: the store must fail,
# alike on both engines, and the JVM must survive. Runs in a child JVM (EscapeReproducersTest).
# replay: bpf run FILE --unverified --maps --engine interpreter|native
.map rb ringbuf key=0 value=0 entries=4096
.program main raw
    lddw %r1, map:rb
    mov %r2, 8
    mov %r3, 0
    call ringbuf_reserve
    jeq %r0, 0, out
    mov %r6, %r0
    or %r6, 0
    stw [%r6-8], -2146435072
    mov %r1, %r0
    mov %r2, 0
    call ringbuf_submit
out:
    mov %r0, 0
    exit
