package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;
import org.trufflebpf.fuzz.DiffCase;
import org.trufflebpf.fuzz.DifferentialRunner;
import org.trufflebpf.fuzz.Outcome;

/** The runner sees every part of an outcome, on both engines: r0, input memory, maps, printed output, instruction count. */
class DifferentialRunnerTest {
    private static final String PROGRAM = """
                    .map counts array key=4 value=8 entries=2
                    .program main raw
                        mov %r6, %r1
                        stb [%r6+1], 0x5a
                        stw [%r10-4], 1
                        lddw %r1, map:counts
                        mov %r2, %r10
                        add %r2, -4
                        call map_lookup_elem
                        jeq %r0, 0, done
                        stdw [%r0+0], 42
                    done:
                        lddw %r1, 0x000a7825206425
                        stxdw [%r10-16], %r1
                        mov %r1, %r10
                        add %r1, -16
                        mov %r2, 8
                        mov %r3, 7
                        mov %r4, 255
                        call trace_printk
                        mov %r0, 3
                        exit
                    """;

    /** The input bytes come back only into a writable buffer; a caller's byte[] stays as it was. */
    @Test
    void aBufferReceivesTheFinalBytesAndAByteArrayStaysUnchanged() {
        try (Context context = BpfRunner.contextBuilder().build()) {
            Value program = BpfRunner.evalAsm(context, "stb [%r1+0], 9\nmov %r0, 0\nexit\n", "write.s");
            byte[] array = {1, 2};
            program.execute((Object) array);
            assertArrayEquals(new byte[] {1, 2}, array);
            ByteBuffer buffer = ByteBuffer.wrap(new byte[] {1, 2});
            program.execute(buffer);
            assertArrayEquals(new byte[] {9, 2}, buffer.array());
        }
    }

    @Test
    void everyPartOfTheOutcomeIsCapturedAlike() {
        try (DifferentialRunner runner = new DifferentialRunner(Map.of())) {
            DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly("parts.s", PROGRAM, "main", new byte[] {1, 2, 3}));
            assertFalse(comparison.diverges(), comparison.report());
            for (Outcome outcome : List.of(comparison.interpreter(), comparison.nativeEngine())) {
                assertEquals(3L, outcome.r0());
                assertArrayEquals(new byte[] {1, 0x5a, 3}, outcome.memory());
                assertEquals(List.of("0", "42"), outcome.maps().get("counts"));
                assertEquals("7 ff\n", outcome.output());
                // 19 instructions (each lddw once) plus the helpers' costs: lookup of a 4-byte key 1 + 1, printk of 8 bytes 1 + 1.
                assertEquals(19 + 2 + 2, outcome.executed(), "instructions on the path and the helpers' charges");
            }
        }
    }
}
