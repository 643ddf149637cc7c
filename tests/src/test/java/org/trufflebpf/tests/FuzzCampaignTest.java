package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
     * context: both engines do the same, and no run leaves a host value in r0, the input, maps or output. The
     * campaign runs in a child JVM: an escape may corrupt memory the host reads and crash it, which must fail
     * this test rather than end the test run.
     */
    @Test
    void seededLaunderingCampaignFindsNoEscapeOrDivergence(@TempDir Path dir) throws IOException, InterruptedException {
        Path out = dir.resolve("out");
        ChildJvm.Result result = ChildJvm.bpf(dir, 120, "fuzz", "--launder", "--count", Integer.toString(LAUNDERING_PROGRAMS), "--seed",
                        Long.toString(LAUNDERING_SEED), "--out", out.toString());
        System.out.println("laundering campaign: " + result.tail());
        // After a crash the program that was running is the reproducer.
        assertFalse(result.crashed(), () -> "the campaign crashed the JVM:\n" + result.tail() + "\nrunning:\n" + inFlight(out));
        // Unverified: only the assembler could reject, and the generator writes valid assembly.
        assertTrue(result.output().contains(LAUNDERING_PROGRAMS + " programs, 0 divergences\n0 rejected by the verifier, "), result::tail);
        assertEquals(0, result.exitCode(), result::tail);
    }

    private static String inFlight(Path out) {
        try {
            return java.nio.file.Files.readString(out.resolve(FuzzCampaign.IN_FLIGHT));
        } catch (IOException e) {
            return "(no " + FuzzCampaign.IN_FLIGHT + ": " + e + ")";
        }
    }
}
