package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.trufflebpf.fuzz.DiffCase;
import org.trufflebpf.fuzz.DifferentialRunner;
import org.trufflebpf.fuzz.FuzzCampaign;
import org.trufflebpf.fuzz.Outcome;
import org.trufflebpf.fuzz.ProgramGenerator;

/**
 * A short fixed-seed campaign run in this JVM: generated programs on the interpreter and the native engine must
 * agree. {@link FuzzCampaignTest} runs larger campaigns through {@code bpf fuzz} in a child JVM, which survives a
 * crash but cannot see code changed in this one; this campaign runs the lowering loaded here, so that mutation
 * testing (the tests module's {@code mutation} profile) measures what a campaign catches. It stops at the first
 * divergence, without the campaign's reduction: under mutation a broken lowering must cost seconds, not minutes.
 */
class InProcessFuzzCampaignTest {
    /** A few seconds on a quiet 2-core machine; every mutant the campaign covers runs it. */
    private static final int PROGRAMS = Integer.getInteger("bpf.fuzz.inprocess.count", 200);
    private static final long SEED = Long.getLong("bpf.fuzz.inprocess.seed", 20261129L);
    private static final int BODY = 40;

    @Test
    void aFixedSeedCampaignInThisJvmFindsNoDivergenceBetweenInterpreterAndNative() {
        int rejected = 0;
        // As bpf fuzz runs them: odd seeds share the tail-call counter through a pointer, every fourth has a small budget.
        try (DifferentialRunner byValue = runner(FuzzCampaign.INSTRUCTION_LIMIT, "counter-by-value");
                        DifferentialRunner shared = runner(FuzzCampaign.INSTRUCTION_LIMIT, "shared");
                        DifferentialRunner small = runner(FuzzCampaign.SMALL_INSTRUCTION_LIMIT, "counter-by-value")) {
            for (long seed = SEED; seed < SEED + PROGRAMS; seed++) {
                ProgramGenerator.Generated generated = ProgramGenerator.generate(seed, BODY);
                DiffCase c = DiffCase.assembly("fuzz-" + seed + ".s", generated.text(), "main", generated.input());
                DifferentialRunner runner = seed % 4 == 3 ? small : seed % 2 == 1 ? shared : byValue;
                DifferentialRunner.Comparison comparison = runner.compare(c);
                if (comparison.diverges()) {
                    fail("seed " + seed + " (the last program of bpf fuzz --seed " + SEED + " --count " + (seed - SEED + 1) + ") diverges:\n" + comparison.report() + generated.text());
                }
                for (Outcome outcome : new Outcome[] {comparison.interpreter(), comparison.nativeEngine()}) {
                    assertNotEquals("internal", outcome.errorKind(), "seed " + seed + ": an engine failed inside itself: " + outcome.error());
                }
                if ("rejected".equals(comparison.ours().errorKind())) {
                    rejected++;
                }
            }
        }
        // The generator writes verifier-valid programs: a rejection is a generator or verifier bug.
        int rejections = rejected;
        assertTrue(rejections * 100 <= PROGRAMS, () -> rejections + " of " + PROGRAMS + " generated programs were rejected");
    }

    private static DifferentialRunner runner(String instructionLimit, String tailCallAbi) {
        Map<String, String> options = new HashMap<>(FuzzCampaign.options(instructionLimit, SEED, tailCallAbi));
        options.put("bpf.KernelEngine", "disabled");
        return new DifferentialRunner(options);
    }
}
