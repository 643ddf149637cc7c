package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trufflebpf.fuzz.FuzzCampaign;

/**
 * Fixed, seeded differential campaigns over generated programs, sized for CI, each in a child JVM running
 * {@code bpf fuzz}: no divergence between the engines, no crash, and the generator's programs pass the verifier
 * (at least 99%: a rejection is a generator or verifier bug).
 */
class FuzzCampaignTest {
    private static final int PROGRAMS = Integer.getInteger("bpf.fuzz.count", 2000);
    private static final long SEED = Long.getLong("bpf.fuzz.seed", 20261125L);
    /** Sized for CI: well under a minute at the laundering mode's rate on a shared 2-core machine. */
    private static final int LAUNDERING_PROGRAMS = Integer.getInteger("bpf.fuzz.launder.count", 300);
    private static final long LAUNDERING_SEED = Long.getLong("bpf.fuzz.launder.seed", 20261128L);

    /** Like the laundering campaign, in a child JVM: an engine bug may crash the host (see the laundering test). */
    @Test
    void seededCampaignFindsNoDivergence(@TempDir Path dir) throws IOException, InterruptedException {
        Path out = dir.resolve("out");
        ChildJvm.Result result = ChildJvm.bpf(dir, 600, "fuzz", "--count", Integer.toString(PROGRAMS), "--seed", Long.toString(SEED), "--out", out.toString());
        System.out.println("fuzz campaign: " + result.tail());
        assertFalse(result.crashed(), () -> "the campaign crashed the JVM:\n" + result.tail() + "\nrunning:\n" + inFlight(out));
        Matcher m = Pattern.compile("^(\\d+) rejected by the verifier", Pattern.MULTILINE).matcher(result.output());
        assertTrue(m.find(), result::tail);
        assertTrue(Integer.parseInt(m.group(1)) * 100 <= PROGRAMS, () -> m.group(1) + " of " + PROGRAMS + " rejected:\n" + result.tail());
        assertTrue(result.output().contains(PROGRAMS + " programs, 0 divergences\n"), result::tail);
        assertEquals(0, result.exitCode(), result::tail);
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
            return Files.readString(out.resolve(FuzzCampaign.IN_FLIGHT));
        } catch (IOException e) {
            return "(no " + FuzzCampaign.IN_FLIGHT + ": " + e + ")";
        }
    }
}
