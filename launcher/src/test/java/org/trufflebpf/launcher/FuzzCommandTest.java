package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trufflebpf.fuzz.DifferentialRunner;
import org.trufflebpf.fuzz.FuzzCampaign;
import org.trufflebpf.fuzz.InstructionCoverage;

class FuzzCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return BpfCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aSmallCampaignEndsWithItsSummaryLine(@TempDir Path dir) {
        assertEquals(0, run("fuzz", "--count", "25", "--seed", "7", "--out", dir.toString()), err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("25 programs, 0 divergences, 0 crashes\n0 rejected by the verifier, "), text);
        assertTrue(text.matches("(?s).*, \\d+ programs/s\n.*"), text);
        assertTrue(text.matches("(?s).*\n\\d+/\\d+ instruction forms \\(alu32 \\d+/\\d+, alu64 \\d+/\\d+, .*stx \\d+/\\d+\\)\n.*"), text);
    }

    @Test
    void theInputIndexCampaignChecksLengthProofsAgainstCheckedRunsAndFindsThemSound() {
        assertEquals(0, run("fuzz", "--input-index", "--count", "40", "--seed", "3"), err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("40 programs in [0-9.]+ s \\(\\d+ programs/s\\): (\\d+) refused by the verifier, (\\d+) with reads proven through the length; "
                        + "(\\d+) runs checked against unchecked, 0 divergences\n").matcher(text);
        assertTrue(m.matches(), text);
        // The campaign exercises the proofs: some programs run reads proven through the length unchecked on one engine.
        assertTrue(Integer.parseInt(m.group(2)) > 0, text);
        assertTrue(Long.parseLong(m.group(3)) > 40, text);
    }

    @Test
    void theInputIndexCampaignRunsItsOwnProgramsOnly() {
        assertEquals(2, run("fuzz", "--input-index", "--launder"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--input-index goes with neither --launder, --context nor --corpus"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aCorpusIsReplayedFirstAndGainsTheProgramsThatCoverNewForms(@TempDir Path dir) throws IOException {
        Path corpus = dir.resolve("corpus");
        assertEquals(0, run("fuzz", "--count", "6", "--seed", "5", "--workers", "1", "--engines", "interpreter,native", "--corpus", corpus.toString()),
                        err.toString(StandardCharsets.UTF_8));
        String first = out.toString(StandardCharsets.UTF_8);
        long saved;
        try (Stream<Path> files = Files.list(corpus)) {
            saved = files.filter(f -> f.getFileName().toString().matches("corpus-\\d+\\.s")).count();
        }
        // The first program covers new forms whatever it holds; later ones only when they add some.
        assertTrue(saved >= 1 && saved <= 6, first);
        assertTrue(first.contains("\ncorpus " + corpus + ": 0 replayed, " + saved + " saved (new instruction forms)\n"), first);
        assertTrue(Files.readString(corpus.resolve("corpus-5.s")).startsWith("# corpus: covered "), "the first program is saved with its seed and input");

        // A saved program the verifier refuses is replayed like the others: its refusal names its file.
        Files.writeString(corpus.resolve("refused.s"), "# input (8 bytes): 0102030405060708\n.program main raw\n    ldxdw %r0, [%r10+8]\n    exit\n");
        out.reset();
        assertEquals(0, run("fuzz", "--count", "3", "--seed", "5", "--workers", "0", "--engines", "interpreter,native", "--corpus", corpus.toString()),
                        err.toString(StandardCharsets.UTF_8));
        String second = out.toString(StandardCharsets.UTF_8);
        assertTrue(second.startsWith((saved + 1 + 3) + " programs, 0 divergences, 0 crashes\n1 rejected by the verifier, "), second);
        assertTrue(second.contains("\n  rejected: refused.s: "), second);
        // The same seeds again cover nothing new: nothing more is saved.
        assertTrue(second.contains("\ncorpus " + corpus + ": " + (saved + 1) + " replayed, 0 saved (new instruction forms)\n"), second);
    }

    @Test
    void enginesNameAtLeastTwoKnownEngines() {
        assertEquals(2, run("fuzz", "--engines", "native", "--count", "1"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--engines wants at least two engines to compare"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, run("fuzz", "--engines", "interpreter,jit", "--count", "1"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--engines: unknown engine 'jit' (the engines are interpreter, native and kernel)"),
                        err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, run("fuzz", "--engines", "native,kernel", "--soundness", "--count", "1"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--soundness pairs the interpreter and the native engine"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theNativeEngineAndTheKernelAloneRunAKernelGradeCampaign() {
        String unavailable = DifferentialRunner.probeKernel(Map.of());
        assumeTrue(unavailable == null, unavailable);
        assertEquals(0, run("fuzz", "--engines", "native,kernel", "--context", "xdp", "--count", "6", "--seed", "3", "--workers", "1"),
                        out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("6 programs, 0 divergences, 0 crashes\n"), text);
        Matcher kernel = Pattern.compile("\nkernel: (\\d+) compared, (\\d+) differing by design, 0 rejected by the kernel only, 0 not run\n").matcher(text);
        assertTrue(kernel.find(), text);
        assertEquals(6, Integer.parseInt(kernel.group(1)) + Integer.parseInt(kernel.group(2)), text);
    }

    @Test
    void theProgressNoteShowsThroughputFindingsAndCoverage() {
        InstructionCoverage coverage = new InstructionCoverage(List.of("alu64 0x07", "alu64 0x0f", "jmp 0x95"));
        coverage.add(Set.of("jmp 0x95"));
        assertEquals("40 programs/s, 1 divergences, 2 crashes, 1/3 forms", FuzzCommand.progressNote(new FuzzCampaign.Snapshot(80, 1, 2, 2000, coverage)));
    }

    @Test
    void aSoundnessCampaignFindsTheTrustingAndTheCheckingEngineAgreeingOnVerifiedPrograms() {
        // The general generator: its programs verify, and some make accesses the verifier cannot prove, which the
        // checking side stops; were one proved wrongly, the trusting side would run past it and the two differ.
        assertEquals(0, run("fuzz", "--soundness", "--count", "60", "--seed", "13"), out.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("60 programs, 0 divergences, 0 crashes\n"), text);
        Matcher counts = Pattern.compile("\n(\\d+) rejected by the verifier, (\\d+) runs stopped by an error").matcher(text);
        assertTrue(counts.find(), text);
        assertTrue(Integer.parseInt(counts.group(1)) < 6, "most generated programs verify, so their proofs are tried: " + text);
        assertTrue(Integer.parseInt(counts.group(2)) > 0, "some runs stop at a checked access, so the checks matter: " + text);
        assertTrue(text.contains("\nkernel: 0 compared, 0 differing by design, 0 rejected by the kernel only, 60 not run"), "the kernel takes no part: " + text);
        assertEquals(2, run("fuzz", "--soundness", "--launder"), "laundering programs have no proofs");
    }

    @Test
    void secondsBoundTheCampaignAndCountBoundsItsPrograms() {
        long start = System.nanoTime();
        assertEquals(0, run("fuzz", "--seconds", "2", "--count", "1000000", "--seed", "11"), err.toString(StandardCharsets.UTF_8));
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        String text = out.toString(StandardCharsets.UTF_8);
        // A million programs take minutes: stopping after about two seconds means --seconds ended the campaign.
        assertTrue(seconds < 60, seconds + " s");
        Matcher m = Pattern.compile("^(\\d+) programs, 0 divergences, 0 crashes$", Pattern.MULTILINE).matcher(text);
        assertTrue(m.find(), text);
        assertTrue(Integer.parseInt(m.group(1)) > 0 && Integer.parseInt(m.group(1)) < 1_000_000, text);
    }

    @Test
    void aKernelGradeCampaignRunsEveryProgramOnAllThreeEngines(@TempDir Path dir) {
        String unavailable = DifferentialRunner.probeKernel(Map.of());
        assumeTrue(unavailable == null, unavailable);
        assertEquals(0, run("fuzz", "--context", "socket", "--count", "20", "--seed", "3", "--out", dir.toString()), out.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("20 programs, 0 divergences, 0 crashes\n"), text);
        Matcher kernel = Pattern.compile("\nkernel: (\\d+) compared, (\\d+) differing by design, 0 rejected by the kernel only, 0 not run\n").matcher(text);
        assertTrue(kernel.find(), text);
        // Differing by design: tail calls under the counter-by-value ABI may end differently (KernelDifferences).
        assertEquals(20, Integer.parseInt(kernel.group(1)) + Integer.parseInt(kernel.group(2)), text);
    }

    @Test
    void theVerifierCampaignEndsWithTheFourCountsAndFindsNothingOnlyTheKernelRejects(@TempDir Path dir) throws IOException {
        String unavailable = DifferentialRunner.probeKernel(Map.of());
        assumeTrue(unavailable == null, unavailable);
        assertEquals(0, run("fuzz", "--verifier", "--count", "60", "--seed", "5", "--out", dir.toString()), err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        Matcher counts = Pattern.compile("both accept (\\d+), both reject (\\d+), only we reject (\\d+), only the kernel rejects (\\d+)\n$").matcher(text);
        assertTrue(counts.find(), text);
        int sum = 0;
        for (int i = 1; i <= 4; i++) {
            sum += Integer.parseInt(counts.group(i));
        }
        assertEquals(60, sum, text);
        assertTrue(Integer.parseInt(counts.group(1)) > 0 && Integer.parseInt(counts.group(2)) > 0, text);
        // Ours keeps the kernel's rules (alignment, pointer arithmetic, helper memory): a program the kernel
        // refuses and ours accepts would be saved here as a reproducer, and there is none.
        assertEquals(0, Integer.parseInt(counts.group(4)), text);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), text);
        }
    }

    @Test
    void aContextOtherThanAPacketOneIsAUsageError() {
        assertEquals(BpfCommand.EXIT_USAGE, run("fuzz", "--context", "raw"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--context wants a packet context: xdp, tc, socket (got 'raw')"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aCountThatIsNoNumberIsAUsageError() {
        assertEquals(BpfCommand.EXIT_USAGE, run("fuzz", "--count", "many"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--count wants a number, got 'many'"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void enginesWithoutTheKernelKeepItOutOfTheCampaign() {
        assertEquals(0, run("fuzz", "--context", "socket", "--engines", "interpreter,native", "--count", "10", "--seed", "3"), out.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("10 programs, 0 divergences, 0 crashes\n"), text);
        assertTrue(text.contains("\nkernel: 0 compared, 0 differing by design, 0 rejected by the kernel only, 10 not run (kernel engine unavailable: disabled"), text);
    }

    @Test
    void checkedVersusUncheckedIsTheSoundnessCampaign() {
        assertEquals(0, run("fuzz", "--checked-vs-unchecked", "--count", "10", "--seed", "13", "--workers", "0"), out.toString(StandardCharsets.UTF_8));
        // The kernel has no checked mode: a soundness campaign never runs it, as --soundness does not.
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("\nkernel: 0 compared, 0 differing by design, 0 rejected by the kernel only, 10 not run (kernel engine unavailable: disabled"),
                        out.toString(StandardCharsets.UTF_8));
        assertEquals(2, run("fuzz", "--checked-vs-unchecked", "--launder"), "laundering programs have no proofs");
    }
}
