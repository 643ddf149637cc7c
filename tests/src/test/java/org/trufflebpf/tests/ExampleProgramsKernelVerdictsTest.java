package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Our verifier against the kernel's on every program of {@code examples/} (issue 11's "done when"): each program
 * the kernel accepts verifies here, and each it rejects for a safety reason is rejected here too. The kernel's
 * verdicts are recorded in {@code verifier-vs-kernel/examples.txt}, so the comparison runs without a kernel; where
 * bpf(2) works, the kernel is asked again and must still give the recorded verdict.
 */
class ExampleProgramsKernelVerdictsTest {
    private static final Path RECORD = Path.of("src/test/resources/verifier-vs-kernel/examples.txt");
    /** Kernel rejections that say nothing of safety: its complexity limit, which ours (pruning more) stays under. */
    private static final Set<String> NOT_SAFETY = Set.of("BPF program is too large");
    /** Kernel-accepted programs ours refuses for a missing feature, not a verdict: bpf_loop is not provided. */
    private static final String UNSUPPORTED = "(bpf_loop), which TruffleBPF does not support";

    // Reads sources only; closed after the class.
    private static final Context CONTEXT = Context.newBuilder("bpf").allowExperimentalOptions(true).option("bpf.Prepare", "false")
                    .out(OutputStream.nullOutputStream()).err(OutputStream.nullOutputStream()).build();

    /** One line of the record: a program of an example file and the kernel's verdict ("none": no counterpart). */
    private record Recorded(String file, String program, String kernel) {
        boolean accepted() {
            return kernel.equals("accepted");
        }

        boolean rejectedForSafety() {
            return kernel.startsWith("rejected: ") && NOT_SAFETY.stream().noneMatch(kernel::contains);
        }

        @Override
        public String toString() {
            return file + " " + program;
        }
    }

    @AfterAll
    static void close() {
        CONTEXT.close(true);
    }

    private static List<Recorded> recorded() throws IOException {
        return Files.readAllLines(RECORD).stream().filter(line -> !line.startsWith("#") && !line.isBlank()).map(line -> {
            int space = line.indexOf(' ');
            int colon = line.indexOf(": ", space);
            return new Recorded(line.substring(0, space), line.substring(space + 1, colon), line.substring(colon + 2));
        }).toList();
    }

    private static Value module(String file) {
        return CONTEXT.eval(Source.newBuilder("bpf", KernelEngineTest.ROOT.resolve(file).toFile()).cached(false).buildLiteral());
    }

    /** Our verdict: null when the program verifies, else the reason. */
    private static String ours(Recorded r) {
        try {
            module(r.file()).invokeMember("verify", r.program());
            return null;
        } catch (PolyglotException e) {
            assertTrue(e.isSyntaxError(), () -> r + ": not a verdict: " + e);
            return e.getMessage();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyExampleTheKernelAcceptsVerifiesHere() throws IOException {
        List<Recorded> accepted = recorded().stream().filter(Recorded::accepted).toList();
        assertFalse(accepted.isEmpty());
        return accepted.stream().map(r -> DynamicTest.dynamicTest(r.toString(), () -> {
            String reason = ours(r);
            if (reason != null && reason.endsWith(UNSUPPORTED)) {
                return;
            }
            assertEquals(null, reason, () -> r + ": the kernel accepts it, ours rejects it");
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyExampleTheKernelRejectsForSafetyIsRejectedHere() throws IOException {
        List<Recorded> rejected = recorded().stream().filter(Recorded::rejectedForSafety).toList();
        assertFalse(rejected.isEmpty());
        return rejected.stream().map(r -> DynamicTest.dynamicTest(r.toString(), () -> {
            assertTrue(ours(r) != null, () -> r + ": the kernel rejects it (" + r.kernel() + "), ours accepts it");
        }));
    }

    @TestFactory
    Stream<DynamicTest> theKernelStillGivesTheRecordedVerdicts() throws IOException {
        return recorded().stream().map(r -> DynamicTest.dynamicTest(r.toString(), () -> {
            KernelEngineTest.assumeKernel();
            Value verdict = module(r.file()).invokeMember("kernelVerdict", r.program());
            if (verdict.isNull()) {
                assertEquals("none", r.kernel(), () -> r + ": the kernel has no counterpart now");
                return;
            }
            boolean accepted = verdict.getMember("accepted").asBoolean();
            assertEquals(r.accepted(), accepted, () -> r + ": the kernel now says " + (accepted ? "accepted" : verdict.getMember("reason").asString()));
            if (!accepted) {
                String reason = verdict.getMember("reason").asString();
                assertTrue(reason.contains(r.kernel().substring("rejected: ".length())), () -> r + ": the kernel rejects it for another reason: " + reason);
            }
        }));
    }
}
