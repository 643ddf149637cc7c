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

    @Test
    void seededCampaignFindsNoDivergence() throws IOException {
        FuzzCampaign.Summary summary = FuzzCampaign.run(PROGRAMS, SEED, 40, null, System.out);
        System.out.printf("fuzz campaign: %s, %d rejected, %d stopped by an error %s, %d ms, %.0f programs/s%n", summary.line(), summary.rejected(),
                        summary.failedRuns(), summary.runErrors(), summary.millis(), summary.programsPerSecond());
        assertTrue(summary.rejected() * 100 <= PROGRAMS, summary.rejected() + " of " + PROGRAMS + " rejected, e.g. " + summary.rejections());
        assertEquals(0, summary.divergences().size(), () -> String.join("\n", summary.divergences()));
    }
}
