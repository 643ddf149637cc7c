package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.junit.jupiter.api.Test;
import org.trufflebpf.fuzz.DiffCase;
import org.trufflebpf.fuzz.DifferentialRunner;
import org.trufflebpf.fuzz.Outcome;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.runtime.HelperCost;

/** Helpers pay for the bytes they copy out of the run's budget, alike on both engines; map sizes are bounded. */
class HelperCostTest {
    private static final long LIMIT = 1_000_000;

    /** Copies a 1 MiB value with map_update_elem forever, counting finished calls in map 'calls'. */
    private static final String COPY_LOOP = """
                    .map big array key=4 value=1048576 entries=1
                    .map dst array key=4 value=1048576 entries=1
                    .map calls array key=4 value=8 entries=1
                    stw [%r10-4], 0
                    loop:
                    lddw %r1, map:dst
                    mov %r2, %r10
                    add %r2, -4
                    lddw %r3, map_value:big+0
                    mov %r4, 0
                    call map_update_elem
                    lddw %r1, map_value:calls+0
                    ldxdw %r2, [%r1]
                    add %r2, 1
                    stxdw [%r1], %r2
                    ja loop
                    """;

    @Test
    void largeCopiesExhaustTheBudgetAtTheHelperCallOnBothEngines() {
        // A call costs the base plus one unit per 8 bytes of key (4) and value (1 MiB).
        long call = HelperCost.BASE + (4 + MapDefinition.MAX_VALUE_SIZE + HelperCost.BYTES_PER_UNIT - 1) / HelperCost.BYTES_PER_UNIT;
        // Blocks: 'stw' (1), then per iteration up to the call (6) and after it (5).
        long iteration = 6 + call + 5;
        long finished = (LIMIT - 1) / iteration;
        long executed = 1 + finished * iteration + 6;
        assertTrue(LIMIT - executed < call, "the next call cannot be paid for, by construction");
        try (DifferentialRunner runner = new DifferentialRunner(Map.of("bpf.InstructionLimit", Long.toString(LIMIT)))) {
            DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly("copies.s", COPY_LOOP, null, null));
            assertFalse(comparison.diverges(), comparison::report);
            Outcome outcome = comparison.interpreter();
            assertEquals("runtime", outcome.errorKind(), outcome.summary());
            assertTrue(outcome.error().contains("insn 8 'call 2': execution budget of " + LIMIT + " instructions exhausted (" + executed + " executed; raise it with --limit)"),
                            outcome.error());
            assertEquals(List.of(Long.toString(finished)), outcome.maps().get("calls"));
        }
    }

    @Test
    void arrayMapLookupsPayTheirKeySizeUntilTheBudgetEndsAtTheCallOnBothEngines() {
        // The interpreter charges a lookup in an array map its site always uses as a constant (the key is 4 bytes);
        // it must be the same charge as every other path's, at the same point. Blocks: 'stw' (1), then per
        // iteration up to the call (4: lddw counts once), the call's cost, and 'ja' (1). The limit leaves exactly
        // the block before the call paid for and nothing for the call.
        long call = HelperCost.ofBytes(4);
        long iteration = 4 + call + 1;
        long limit = 1 + 142_857 * iteration + 4;
        String lookups = """
                        .map counts array key=4 value=8 entries=1
                        stw [%r10-4], 0
                        loop:
                        lddw %r1, map:counts
                        mov %r2, %r10
                        add %r2, -4
                        call map_lookup_elem
                        ja loop
                        """;
        try (DifferentialRunner runner = new DifferentialRunner(Map.of("bpf.InstructionLimit", Long.toString(limit)))) {
            DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly("lookups.s", lookups, null, null));
            assertFalse(comparison.diverges(), comparison::report);
            Outcome outcome = comparison.interpreter();
            assertTrue(outcome.error().contains("insn 5 'call 1': execution budget of " + limit + " instructions exhausted (" + limit + " executed; raise it with --limit)"),
                            outcome.error());
        }
    }

    @Test
    void mapWithAnOversizedValueIsRejectedAtLoadNamingFileAndMap() {
        try (Context context = BpfRunner.contextBuilder().build()) {
            PolyglotException e = assertThrows(PolyglotException.class,
                            () -> BpfRunner.evalAsm(context, ".map huge hash key=4 value=16777216 entries=1\nmov %r0, 0\nexit\n", "huge.s"));
            assertTrue(e.isSyntaxError(), e.getMessage());
            assertTrue(e.getMessage().contains("huge.s") && e.getMessage().contains("map 'huge': value size 16777216 exceeds the limit of 1048576 bytes"), e.getMessage());
        }
    }

    @Test
    void mapWhoseEntriesAddUpTooFarIsRejectedAtLoad() {
        try (Context context = BpfRunner.contextBuilder().build()) {
            PolyglotException e = assertThrows(PolyglotException.class,
                            () -> BpfRunner.evalAsm(context, ".map wide array key=4 value=1024 entries=1000000\nmov %r0, 0\nexit\n", "wide.s"));
            assertTrue(e.getMessage().contains("wide.s") && e.getMessage().contains("map 'wide': max_entries 1000000 makes the map 1032000000 bytes"), e.getMessage());
        }
    }
}
