package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.trufflebpf.fuzz.DiffCase;
import org.trufflebpf.fuzz.DifferentialRunner;
import org.trufflebpf.fuzz.Outcome;

/**
 * A reserved ring buffer record exposes its payload alone: stores to its header, just past it, or after it was
 * submitted stop the run with the same out-of-bounds error on both engines.
 */
class RingBufferRecordBoundsTest {
    /** Reserves 16 bytes into r6, then runs {@code body}; exits 0 when nothing stopped it. */
    private static String program(String body) {
        return """
                        .map events ringbuf key=0 value=0 entries=4096
                        lddw %r1, map:events
                        mov %r2, 16
                        mov %r3, 0
                        call ringbuf_reserve
                        jeq %r0, 0, out
                        mov %r6, %r0
                        """ + body + """
                        out:
                        mov %r0, 0
                        exit
                        """;
    }

    private static Outcome bothEngines(String name, String source) {
        return bothEngines(name, source, Map.of());
    }

    /**
     * Unverified: the verifier refuses accesses outside a record of constant size (VerifierMemorySafetyTest);
     * the engines' run-time bounds are what these tests check.
     */
    private static Outcome bothEnginesUnverified(String name, String source) {
        return bothEngines(name, source, Map.of("bpf.Verify", "false"));
    }

    private static Outcome bothEngines(String name, String source, Map<String, String> options) {
        try (DifferentialRunner runner = new DifferentialRunner(options)) {
            DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly(name, source, null, null));
            assertFalse(comparison.diverges(), comparison::report);
            return comparison.interpreter();
        }
    }

    private static void assertStoppedOutOfTheRecord(Outcome outcome, String access) {
        assertEquals("runtime", outcome.errorKind(), outcome.summary());
        assertTrue(outcome.error().contains(access), outcome.error());
    }

    @Test
    void storeToTheRecordHeaderIsOutOfBounds() {
        Outcome outcome = bothEnginesUnverified("header.s", program("""
                        stw [%r6-8], 0x3fffffff
                        mov %r1, %r6
                        mov %r2, 0
                        call ringbuf_submit
                        """));
        assertStoppedOutOfTheRecord(outcome, "write of 4 bytes");
        assertTrue(outcome.error().contains("at ring buffer 'events' record-8 is out of bounds: ring buffer 'events' record is 16 bytes"), outcome.error());
        assertTrue(outcome.error().contains("insn 7"), "stopped at the store: " + outcome.error());
    }

    @Test
    void storeJustPastThePayloadIsOutOfBounds() {
        Outcome outcome = bothEnginesUnverified("past.s", program("""
                        stb [%r6+16], 1
                        mov %r1, %r6
                        mov %r2, 0
                        call ringbuf_submit
                        """));
        assertStoppedOutOfTheRecord(outcome, "write of 1 bytes");
        assertTrue(outcome.error().contains("at ring buffer 'events' record+16 is out of bounds: ring buffer 'events' record is 16 bytes"), outcome.error());
    }

    @Test
    void lastPayloadByteIsWritableAndReachesTheHost() {
        Outcome outcome = bothEngines("last.s", program("""
                        stb [%r6+15], 0x7f
                        mov %r1, %r6
                        mov %r2, 0
                        call ringbuf_submit
                        """));
        assertEquals(0L, outcome.r0(), outcome.summary());
        assertEquals(List.of("00".repeat(15) + "7f"), outcome.maps().get("events"));
    }

    @Test
    void storeAfterSubmitIsOutOfReach() {
        Outcome outcome = bothEngines("submitted.s", program("""
                        mov %r1, %r6
                        mov %r2, 0
                        call ringbuf_submit
                        stdw [%r6], 1
                        """));
        assertStoppedOutOfTheRecord(outcome, "write of 8 bytes");
        assertTrue(outcome.error().contains("insn 10 'stdw [%r6], 1'") && outcome.error().endsWith("not memory the program may access"),
                        outcome.error());
    }
}
