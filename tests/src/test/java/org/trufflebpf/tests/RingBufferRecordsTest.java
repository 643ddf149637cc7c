package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/**
 * A ring-buffer record is the program's only until it submits or discards it: a store into it afterwards stops
 * both engines alike (the record's bounds while reserved: {@link RingBufferRecordBoundsTest}).
 */
class RingBufferRecordsTest {
    private static final String RESERVE_THEN = """
                    .map events ringbuf key=0 value=0 entries=4096
                    lddw %r1, map:events
                    mov %r2, 16
                    mov %r3, 0
                    call ringbuf_reserve
                    jeq %r0, 0, out
                    mov %r6, %r0
                    ACCESS
                    out:
                    mov %r0, 0
                    exit
                    """;

    private static String failure(String access) {
        String asm = RESERVE_THEN.replace("ACCESS", access);
        String[] messages = new String[2];
        String[] engines = {"interpreter", "native"};
        for (int i = 0; i < 2; i++) {
            try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engines[i]).option("bpf.Verify", "false").build()) {
                Value module = BpfRunner.evalAsm(context, asm, "rb.s");
                messages[i] = assertThrows(PolyglotException.class, () -> module.execute()).getMessage().replaceAll("0x\\p{XDigit}+", "ADDR");
            }
        }
        assertEquals(messages[0], messages[1], "the engines differ");
        return messages[0];
    }

    @Test
    void aSubmittedRecordIsOutOfReach() {
        assertEquals("rb.s: function 'rb': insn 10 'stdw [%r6], 1': write of 8 bytes at ADDR: not memory the program may access",
                        failure("mov %r1, %r6\nmov %r2, 0\ncall ringbuf_submit\nstdw [%r6], 1"));
    }
}
