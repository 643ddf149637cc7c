package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.fuzz.DiffCase;
import org.trufflebpf.fuzz.DifferentialRunner;
import org.trufflebpf.verifier.Verifier;

/**
 * The interpreter keeps the run's table of active stack frames only for programs whose run-time checks may meet
 * a stack pointer (ProgramAnalysis.stackPointersChecked, or any helper call): a callee that uses its caller's
 * frame through an argument still reaches it, and a program that runs without the table gives the native
 * engine's results, out-of-bounds errors included.
 */
class FrameTableTest {
    /** The caller keeps 40 in its frame and has the callee add 2 to it through a pointer argument. */
    private static final String CALLEE_USES_CALLERS_FRAME = """
                    .program prog raw
                    stdw [%r10-8], 40
                    mov %r1, %r10
                    add %r1, -8
                    call local bump
                    ldxdw %r0, [%r10-8]
                    exit
                    bump:
                    ldxdw %r2, [%r1]
                    add %r2, 2
                    stxdw [%r1], %r2
                    mov %r0, 0
                    exit
                    """;

    /** XORs the input's first eight bytes, each read by a callee through the input pointer and an index. */
    private static final String CALLEE_READS_INPUT = """
                    .program prog raw
                    mov %r6, %r1
                    mov %r7, 0
                    mov %r8, 0
                    loop:
                    mov %r1, %r6
                    mov %r2, %r7
                    call local byte
                    xor %r8, %r0
                    add %r7, 1
                    jlt %r7, 8, loop
                    mov %r0, %r8
                    exit
                    byte:
                    add %r1, %r2
                    ldxb %r0, [%r1]
                    exit
                    """;

    @Test
    void aCalleeReadsAndWritesItsCallersFrameThroughAPointerArgumentOnBothEngines() {
        assertTrue(Verifier.verify(Assembler.assembleProgram(CALLEE_USES_CALLERS_FRAME, "frame.s")).analysis().stackPointersChecked());
        try (DifferentialRunner runner = new DifferentialRunner(Map.of())) {
            DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly("frame.s", CALLEE_USES_CALLERS_FRAME, null, new byte[8]));
            assertFalse(comparison.diverges(), comparison::report);
            assertEquals(42L, comparison.interpreter().r0(), comparison::report);
        }
    }

    @Test
    void aProgramWhoseChecksNeverMeetAStackPointerRunsWithoutTheTableAsTheNativeEngineRunsIt() {
        assertFalse(Verifier.verify(Assembler.assembleProgram(CALLEE_READS_INPUT, "input.s")).analysis().stackPointersChecked());
        try (DifferentialRunner runner = new DifferentialRunner(Map.of())) {
            byte[] input = {1, 2, 4, 8, 16, 32, 64, (byte) 128};
            DifferentialRunner.Comparison whole = runner.compare(DiffCase.assembly("input.s", CALLEE_READS_INPUT, null, input));
            assertFalse(whole.diverges(), whole::report);
            assertEquals(255L, whole.interpreter().r0(), whole::report);
            // Five bytes: the sixth read is out of bounds, with the same error on both engines.
            DifferentialRunner.Comparison shorter = runner.compare(DiffCase.assembly("input.s", CALLEE_READS_INPUT, null, new byte[5]));
            assertFalse(shorter.diverges(), shorter::report);
            assertEquals("runtime", shorter.interpreter().errorKind(), shorter::report);
        }
    }
}
