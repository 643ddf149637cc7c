package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trufflebpf.fuzz.FuzzCampaign;
import org.trufflebpf.kernel.KernelEngineService;

/**
 * Fixed, seeded differential campaigns over generated programs, sized for CI, each in a child JVM running
 * {@code bpf fuzz} with its default workers: no divergence between the engines (the host kernel's included where it runs packet programs),
 * no crash, and the generator's programs pass the verifier (at least 99%: a rejection is a generator or verifier bug).
 */
class FuzzCampaignTest {
    private static final int PROGRAMS = Integer.getInteger("bpf.fuzz.count", 2000);
    private static final long SEED = Long.getLong("bpf.fuzz.seed", 20261125L);
    /** Sized for CI: well under a minute at the laundering mode's rate on a shared 2-core machine. */
    private static final int LAUNDERING_PROGRAMS = Integer.getInteger("bpf.fuzz.launder.count", 300);
    private static final long LAUNDERING_SEED = Long.getLong("bpf.fuzz.launder.seed", 20261128L);
    private static final int KERNEL_GRADE_PROGRAMS = Integer.getInteger("bpf.fuzz.kernel.count", 150);
    private static final long KERNEL_GRADE_SEED = Long.getLong("bpf.fuzz.kernel.seed", 20261201L);

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
        assertTrue(result.output().contains(PROGRAMS + " programs, 0 divergences, 0 crashes\n"), result::tail);
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
        assertTrue(result.output().contains(LAUNDERING_PROGRAMS + " programs, 0 divergences, 0 crashes\n0 rejected by the verifier, "), result::tail);
        assertEquals(0, result.exitCode(), result::tail);
    }

    /**
     * Kernel-grade programs of the tc, socket-filter and XDP contexts ({@code bpf fuzz --context}): no divergence
     * between our engines, nor with the host kernel where it runs them, and then every program runs there
     * (compared, or differing only as KernelDifferences allows). XDP joined once the context rewrite followed a
     * context pointer through the stack (before, about one XDP program in twenty read a struct's u32 field where
     * the kernel read the packet pointer).
     */
    @Test
    void seededKernelGradeXdpCampaignAgreesOnAllThreeEngines(@TempDir Path dir) throws IOException, InterruptedException {
        kernelGradeCampaign("xdp", dir);
    }

    @Test
    void seededKernelGradeTcCampaignAgreesOnAllThreeEngines(@TempDir Path dir) throws IOException, InterruptedException {
        kernelGradeCampaign("tc", dir);
    }

    @Test
    void seededKernelGradeSocketFilterCampaignAgreesOnAllThreeEngines(@TempDir Path dir) throws IOException, InterruptedException {
        kernelGradeCampaign("socket", dir);
    }

    private static void kernelGradeCampaign(String context, Path dir) throws IOException, InterruptedException {
        Path out = dir.resolve("out");
        ChildJvm.Result result = ChildJvm.bpf(dir, 600, "fuzz", "--context", context, "--count", Integer.toString(KERNEL_GRADE_PROGRAMS), "--seed",
                        Long.toString(KERNEL_GRADE_SEED), "--out", out.toString());
        System.out.println(context + " kernel-grade campaign: " + result.tail());
        assertFalse(result.crashed(), () -> "the campaign crashed the JVM:\n" + result.tail() + "\nrunning:\n" + inFlight(out));
        assertTrue(result.output().contains(KERNEL_GRADE_PROGRAMS + " programs, 0 divergences, 0 crashes\n0 rejected by the verifier, "), result::tail);
        Matcher kernel = Pattern.compile("^kernel: (\\d+) compared, (\\d+) differing by design, (\\d+) rejected by the kernel only, (\\d+) not run",
                        Pattern.MULTILINE).matcher(result.output());
        assertTrue(kernel.find(), result::tail);
        if (kernelRuns()) {
            // Kernel-grade: the kernel's verifier accepts them all, and runs all but the few inputs shorter than it takes.
            assertEquals(0, Integer.parseInt(kernel.group(3)), result::tail);
            assertTrue((Integer.parseInt(kernel.group(1)) + Integer.parseInt(kernel.group(2))) * 100 >= KERNEL_GRADE_PROGRAMS * 95, result::tail);
        } else {
            assertEquals(KERNEL_GRADE_PROGRAMS, Integer.parseInt(kernel.group(4)), result::tail);
        }
        assertEquals(0, result.exitCode(), result::tail);
    }

    /** Whether the child's kernel engine runs programs (as KernelEngineTest.assumeKernel decides, without skipping). */
    private static boolean kernelRuns() {
        return new KernelEngineService().unavailableReason() == null && !"1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL"));
    }

    /** The program that was running when the campaign crashed, or those its workers crashed on. */
    private static String inFlight(Path out) {
        try (Stream<Path> files = Files.list(out)) {
            StringBuilder sb = new StringBuilder();
            for (Path file : files.filter(f -> f.getFileName().toString().equals(FuzzCampaign.IN_FLIGHT) || f.getFileName().toString().startsWith("crash-")).toList()) {
                sb.append(Files.readString(file));
            }
            return sb.isEmpty() ? "(no program saved in " + out + ")" : sb.toString();
        } catch (IOException e) {
            return "(nothing saved: " + e + ")";
        }
    }
}
