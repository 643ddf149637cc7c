package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.trufflebpf.fuzz.DiffCase;
import org.trufflebpf.fuzz.DifferentialRunner;
import org.trufflebpf.fuzz.ProgramGenerator;
import org.trufflebpf.fuzz.Reducer;
import org.trufflebpf.fuzz.Reproducer;

/**
 * The differential runner sees a difference, and the reducer shrinks it: with the native engine's context
 * given another random seed, a generated program that calls get_prandom_u32 diverges, and its reduction is a
 * handful of instructions around that call that still diverges and replays from the reproducer's text.
 */
class ReducerTest {

    @Test
    void aSeededDifferenceIsFoundAndReducedToTheRandomHelperCall() {
        try (DifferentialRunner same = new DifferentialRunner(Map.of("bpf.Seed", "1"));
                        DifferentialRunner differentSeeds = new DifferentialRunner(Map.of("bpf.Seed", "1"), Map.of("bpf.Seed", "2"))) {
            DiffCase c = null;
            DifferentialRunner.Comparison divergence = null;
            for (long seed = 1; divergence == null; seed++) {
                ProgramGenerator.Generated generated = ProgramGenerator.generate(seed, 40);
                if (!generated.text().contains("call get_prandom_u32")) {
                    continue;
                }
                DiffCase candidate = DiffCase.assembly("seed-" + seed + ".s", generated.text(), "main", generated.input());
                assertFalse(same.compare(candidate).diverges(), "the same options must agree");
                DifferentialRunner.Comparison comparison = differentSeeds.compare(candidate);
                if (comparison.diverges()) {
                    c = candidate;
                    divergence = comparison;
                }
            }
            int before = instructions(c.text());
            Reducer.Reduced reduced = new Reducer(differentSeeds).reduce(c, divergence);
            int after = instructions(reduced.reproducer().text());
            assertTrue(reduced.comparison().diverges(), reduced.reproducer().text());
            assertTrue(after <= 12 && after * 10 < before, before + " -> " + after + " instructions:\n" + reduced.reproducer().text());
            // The seed drives the random numbers and the clock: the reduction keeps a call to one of them.
            assertTrue(reduced.reproducer().text().matches("(?s).*call (get_prandom_u32|ktime_get_ns|ktime_get_boot_ns|%r\\d).*"), reduced.reproducer().text());
            String text = Reproducer.text(reduced, differentSeeds, "test", Map.of("bpf.Seed", "1"));
            String listing = text.substring(text.indexOf(".map"));
            DifferentialRunner.Comparison replay = differentSeeds.compare(reduced.reproducer().withText(listing));
            assertEquals(reduced.comparison().differences(), replay.differences(), text);
        }
    }

    private static int instructions(String text) {
        return (int) text.lines().filter(l -> l.startsWith(" ") && !l.isBlank()).count();
    }
}
