package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.trufflebpf.fuzz.FuzzCampaign;

/**
 * A fixed, seeded differential campaign over generated programs, sized for CI: no divergence between the
 * engines, and the generator's programs pass the verifier (at least 99%: a rejection is a generator or
 * verifier bug).
 */
class FuzzCampaignTest {
    private static final int PROGRAMS = Integer.getInteger("bpf.fuzz.count", 2000);
    private static final long SEED = Long.getLong("bpf.fuzz.seed", 20261125L);
    /** Sized for CI: well under a minute at the laundering mode's rate on a shared 2-core machine. */
    private static final int LAUNDERING_PROGRAMS = Integer.getInteger("bpf.fuzz.launder.count", 300);
    private static final long LAUNDERING_SEED = Long.getLong("bpf.fuzz.launder.seed", 20261128L);

    @Test
    void seededCampaignFindsNoDivergence() throws IOException {
        FuzzCampaign.Summary summary = FuzzCampaign.run(PROGRAMS, SEED, 40, null, System.out);
        System.out.printf("fuzz campaign: %s, %d rejected, %d stopped by an error %s, %d ms, %.0f programs/s%n", summary.line(), summary.rejected(),
                        summary.failedRuns(), summary.runErrors(), summary.millis(), summary.programsPerSecond());
        assertTrue(summary.rejected() * 100 <= PROGRAMS, summary.rejected() + " of " + PROGRAMS + " rejected, e.g. " + summary.rejections());
        assertEquals(0, summary.divergences().size(), () -> String.join("\n", summary.divergences()));
    }

    /**
     * Unverified programs that launder pointers and reach just outside their frames, maps, records, input and
     * context: both engines do the same, and no run leaves a host value in r0, the input, maps or output.
     */
    @Test
    void seededLaunderingCampaignFindsNoEscapeOrDivergence() throws IOException {
        FuzzCampaign.Summary summary = FuzzCampaign.run(LAUNDERING_PROGRAMS, 0, LAUNDERING_SEED, 40, true, null, System.out);
        System.out.printf("laundering campaign: %s, %d stopped by an error %s, %d ms, %.1f programs/s%n", summary.line(), summary.failedRuns(),
                        summary.runErrors(), summary.millis(), summary.programsPerSecond());
        // Unverified: only the assembler could reject, and the generator writes valid assembly.
        assertEquals(0, summary.rejected(), () -> "rejected: " + summary.rejections());
        // Most programs carry one access meant to fail; a third run to their end, so some must have.
        assertTrue(summary.failedRuns() < summary.programs(), summary.failedRuns() + " of " + summary.programs() + " runs failed");
        assertEquals(0, summary.divergences().size(), () -> String.join("\n", summary.divergences()));
    }
}
