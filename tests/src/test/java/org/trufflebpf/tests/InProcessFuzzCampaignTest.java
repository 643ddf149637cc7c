package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongFunction;

import org.junit.jupiter.api.Test;
import org.trufflebpf.fuzz.DiffCase;
import org.trufflebpf.fuzz.DifferentialRunner;
import org.trufflebpf.fuzz.FuzzCampaign;
import org.trufflebpf.fuzz.LaunderingGenerator;
import org.trufflebpf.fuzz.Outcome;
import org.trufflebpf.fuzz.ProgramGenerator;

/**
 * Short fixed-seed campaigns run in this JVM: generated programs on the interpreter and the native engine must
 * agree. {@link FuzzCampaignTest} runs larger campaigns through {@code bpf fuzz} in a child JVM, which survives a
 * crash but cannot see code changed in this one; these campaigns run the lowering loaded here, so that mutation
 * testing (the tests module's {@code mutation-differential} profile) measures what a campaign catches. They stop at
 * the first divergence, without the campaign's reduction: under mutation a broken lowering must cost seconds, not
 * minutes.
 */
class InProcessFuzzCampaignTest {
    /** A few seconds on a quiet 2-core machine; every mutant the campaign covers runs it. */
    private static final int PROGRAMS = Integer.getInteger("bpf.fuzz.inprocess.count", 200);
    private static final long SEED = Long.getLong("bpf.fuzz.inprocess.seed", 20261129L);
    /**
     * Unverified programs: every access goes through the native engine's run-time checks and their error exits, and
     * frames read before they are written must start at zero, as in the interpreter. The larger laundering campaign runs
     * in a child JVM ({@link FuzzCampaignTest}) so that an escape cannot end the test run; one here would end this
     * JVM, which fails the build all the same.
     */
    private static final int LAUNDERING_PROGRAMS = Integer.getInteger("bpf.fuzz.inprocess.launder.count", 100);
    private static final int BODY = 40;

    @Test
    void aFixedSeedCampaignInThisJvmFindsNoDivergenceBetweenInterpreterAndNative() {
        int rejected = campaign(PROGRAMS, false, seed -> ProgramGenerator.generate(seed, BODY));
        // The generator writes verifier-valid programs: a rejection is a generator or verifier bug.
        assertTrue(rejected * 100 <= PROGRAMS, () -> rejected + " of " + PROGRAMS + " generated programs were rejected");
    }

    @Test
    void aFixedSeedLaunderingCampaignInThisJvmFindsNoDivergenceNorHostValue() {
        int rejected = campaign(LAUNDERING_PROGRAMS, true, seed -> LaunderingGenerator.generate(seed, BODY));
        // Unverified: only the assembler could refuse, and the generator writes valid assembly.
        assertTrue(rejected == 0, () -> rejected + " laundering programs were refused");
    }

    /** Runs {@code count} programs from {@link #SEED} as bpf fuzz does (same options and runners); the programs refused. */
    private static int campaign(int count, boolean launder, LongFunction<ProgramGenerator.Generated> generator) {
        int rejected = 0;
        // Odd seeds share the tail-call counter through a pointer, every fourth has a small budget.
        try (DifferentialRunner byValue = runner(FuzzCampaign.INSTRUCTION_LIMIT, "counter-by-value", launder);
                        DifferentialRunner shared = runner(FuzzCampaign.INSTRUCTION_LIMIT, "shared", launder);
                        DifferentialRunner small = runner(FuzzCampaign.SMALL_INSTRUCTION_LIMIT, "counter-by-value", launder)) {
            for (long seed = SEED; seed < SEED + count; seed++) {
                ProgramGenerator.Generated generated = generator.apply(seed);
                DiffCase c = DiffCase.assembly("fuzz-" + seed + ".s", generated.text(), "main", generated.input());
                DifferentialRunner runner = seed % 4 == 3 ? small : seed % 2 == 1 ? shared : byValue;
                DifferentialRunner.Comparison comparison = runner.compare(c);
                if (comparison.diverges()) {
                    fail("seed " + seed + " (the last program of bpf fuzz" + (launder ? " --launder" : "") + " --seed " + SEED + " --count " + (seed - SEED + 1)
                                    + ") diverges:\n" + comparison.report() + generated.text());
                }
                for (Outcome outcome : new Outcome[] {comparison.interpreter(), comparison.nativeEngine()}) {
                    assertNotEquals("internal", outcome.errorKind(), "seed " + seed + ": an engine failed inside itself: " + outcome.error());
                }
                if ("rejected".equals(comparison.ours().errorKind())) {
                    rejected++;
                }
            }
        }
        return rejected;
    }

    private static DifferentialRunner runner(String instructionLimit, String tailCallAbi, boolean launder) {
        Map<String, String> options = new HashMap<>(FuzzCampaign.options(instructionLimit, SEED, tailCallAbi, launder));
        options.put("bpf.KernelEngine", "disabled");
        DifferentialRunner runner = new DifferentialRunner(options);
        return launder ? runner.scanHostValues() : runner;
    }
}
