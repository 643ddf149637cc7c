package org.trufflebpf.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import org.trufflebpf.fuzz.DifferentialRunner;
import org.trufflebpf.fuzz.FuzzCampaign;
import org.trufflebpf.fuzz.InputIndexCampaign;
import org.trufflebpf.fuzz.InstructionCoverage;
import org.trufflebpf.fuzz.ProgramGenerator;
import org.trufflebpf.fuzz.VerifierCampaign;

import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code bpf fuzz [--count N] [--seconds N] [--seed S] [--body N] [--out DIR] [--launder | --context xdp|tc|socket | --verifier | --input-index]}:
 * a differential campaign of generated programs on both engines, and in the host kernel where it runs packet programs
 * (with {@code --launder}, unverified programs that launder pointers and reach just outside what the run owns; with
 * {@code --context}, kernel-grade programs of that packet context, so that all of them run three-way); reduced
 * reproducers go to DIR; ends with {@code N programs, D divergences}. {@code --seconds} runs for that long (then
 * {@code --count}, if given, bounds the programs). Exit code 1 when the engines diverged or a run left a host value
 * behind. With {@code --verifier}, programs near the safety boundary go to our verifier and the kernel's instead
 * ({@link VerifierCampaign}): reproducers of what only the kernel rejects go to DIR, and the output ends with the
 * four counts. With {@code --soundness}, one engine of each pair trusts the verifier's proofs and the other keeps
 * every run-time check ({@code bpf.TrustProofs=false}): a difference is a wrong proof. With {@code --input-index}, the
 * same pairing checks the reads proven through a raw program's input length ({@link InputIndexCampaign}). Programs run in {@code --workers}
 * processes (default: one per core; 0 runs them in this JVM), so that a native crash or a program running past
 * {@code --timeout} seconds (default 60) costs that program only: it is counted as a crash and saved to DIR as
 * {@code crash-SEED.s}; crashes, like divergences, make the exit code 1. With {@code --corpus DIR} the programs saved
 * in DIR are replayed first, and each new program covering an instruction form none before it had is saved there
 * ({@code Corpus}). With {@code --json} the summary is one JSON document on stdout and the campaign's running notes
 * go to stderr.
 */
final class FuzzCommand implements BpfCommand.Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Arguments.command("fuzz", "Runs generated programs on both engines (and in the kernel where it can) and reports every divergence and crash (exit 1 on any).");
        Arguments.option(spec, "--count", "N", "programs to run (default 1000)");
        Arguments.option(spec, "--seconds", "N", "run for N seconds (--count, if given, still bounds the programs)");
        Arguments.option(spec, "--seed", "S", "the first program's seed (default 1)");
        Arguments.option(spec, "--body", "INSTRUCTIONS", "instructions per generated program body (default 40)");
        Arguments.option(spec, "--out", "DIR", "write reduced reproducers here");
        Arguments.option(spec, "--corpus", "DIR", "replay the programs saved here first, then save new programs that cover new instruction forms");
        Arguments.flag(spec, "--launder", "unverified programs that launder pointers and reach just outside what the run owns");
        Arguments.option(spec, "--context", "xdp|tc|socket", "kernel-grade programs of this packet context, run three-way");
        Arguments.flag(spec, "--verifier", "programs near the safety boundary, to our verifier and the kernel's");
        Arguments.flag(spec, "--input-index", "raw programs reading their input at indexes compared with its length, checked against unchecked (the soundness of length proofs)");
        Arguments.flag(spec, "--soundness", "one engine trusts the verifier's proofs, the other keeps every run-time check");
        Arguments.flag(spec, "--checked-vs-unchecked", "the same as --soundness");
        Arguments.option(spec, "--engines", "E1,E2[,E3]", "at least two of interpreter, native, kernel (default: all three, the kernel where it can)");
        Arguments.option(spec, "--workers", "K", "worker processes (default one per core; 0: in this JVM)");
        Arguments.option(spec, "--timeout", "S", "seconds a program may run before it counts as a crash (default 60)");
        Arguments.flag(spec, "--json", "print the summary as one JSON document (see the README for its fields)");
        Arguments.flag(spec, "--quiet", "no progress bar (there is none when stderr is not a terminal)");
        return spec;
    }

    /** The campaign's contexts are built by its workers, with the options the campaign gives them. */
    @Override
    public boolean takesPolyglotOptions() {
        return false;
    }

    @Override
    public int run(Arguments arguments, PrintStream out, PrintStream err) throws Exception {
        boolean json = arguments.flag("--json");
        // In JSON mode the campaign's running notes go to stderr and stdout holds the summary document alone.
        PrintStream log = json ? err : out;
        // The name for the soundness campaign, kept beside the first one.
        boolean soundness = arguments.flag("--soundness") || arguments.flag("--checked-vs-unchecked");
        Set<String> engines = engines(arguments.option("--engines"));
        long seconds = number(arguments.option("--seconds"), 0L, "--seconds");
        int count = number(arguments.option("--count"), seconds > 0 ? Integer.MAX_VALUE : 1000, "--count");
        long seed = number(arguments.option("--seed"), 1L, "--seed");
        int body = number(arguments.option("--body"), 40, "--body");
        int workers = number(arguments.option("--workers"), Runtime.getRuntime().availableProcessors(), "--workers");
        long timeout = number(arguments.option("--timeout"), FuzzCampaign.DEFAULT_TIMEOUT_MILLIS / 1000, "--timeout");
        if (count < 1 || body < 1 || seconds < 0 || workers < 0 || timeout < 1) {
            throw new UsageException("--count, --body and --timeout must be positive, --seconds and --workers not negative");
        }
        if (arguments.flag("--verifier")) {
            if (arguments.flag("--launder") || arguments.option("--context") != null) {
                throw new UsageException("--verifier goes with neither --launder nor --context (its programs are XDP programs of their own)");
            }
            if (arguments.option("--corpus") != null) {
                throw new UsageException("--corpus is for the differential campaign: --verifier programs are not saved to one");
            }
            String dir = arguments.option("--out");
            return verifierCampaign(count, seconds, seed, dir == null ? null : Path.of(dir), json, out, err);
        }
        if (arguments.flag("--input-index")) {
            if (arguments.flag("--launder") || arguments.option("--context") != null || arguments.option("--corpus") != null) {
                throw new UsageException("--input-index goes with neither --launder, --context nor --corpus (its programs are raw programs of their own, run in this JVM)");
            }
            String dir = arguments.option("--out");
            return inputIndexCampaign(count, seconds, seed, dir == null ? null : Path.of(dir), json, out, err);
        }
        String context = arguments.option("--context");
        if (context != null && !ProgramGenerator.KERNEL_CONTEXTS.contains(context)) {
            throw new UsageException("--context wants a packet context: " + String.join(", ", ProgramGenerator.KERNEL_CONTEXTS) + " (got '" + context + "')");
        }
        if (context != null && arguments.flag("--launder")) {
            throw new UsageException("--launder and --context do not go together (laundering programs are not kernel-grade)");
        }
        if (soundness && !engines.containsAll(Set.of(DifferentialRunner.INTERPRETER, DifferentialRunner.NATIVE))) {
            throw new UsageException("--soundness pairs the interpreter and the native engine: --engines must name both");
        }
        if (soundness && arguments.flag("--launder")) {
            throw new UsageException("--soundness and --launder do not go together (laundering programs are unverified: they have no proofs to check)");
        }
        String dir = arguments.option("--out");
        String corpus = arguments.option("--corpus");
        FuzzCampaign.Summary summary;
        try (Progress progress = Progress.onTerminal(err, arguments.flag("--quiet"), "bpf fuzz")) {
            // A campaign bounded by time has no known total: the count alone, with the seconds gone.
            long start = System.nanoTime();
            summary = FuzzCampaign.run(count, seconds, seed, body, arguments.flag("--launder"), context, dir == null ? null : Path.of(dir), log, soundness, workers,
                            timeout * 1000, engines, corpus == null ? null : Path.of(corpus), (FuzzCampaign.Snapshot now) -> progress.update(now.programs(), seconds > 0 ? 0 : count,
                                            (seconds > 0 ? "programs, " + (System.nanoTime() - start) / 1_000_000_000L + "/" + seconds + " s, " : "") + progressNote(now)));
        }
        int exit = summary.divergences().isEmpty() && summary.crashes().isEmpty() ? 0 : BpfCommand.EXIT_REJECTED;
        if (json) {
            FuzzCampaign.KernelTally tally = summary.kernel();
            out.println(JsonWriter.write(JsonWriter.object("programs", (long) summary.programs(), "divergences", summary.divergences(), "crashes", summary.crashes(),
                            "rejected", (long) summary.rejected(), "failed_runs", (long) summary.failedRuns(), "seconds", summary.millis() / 1000.0, "programs_per_second",
                            summary.programsPerSecond(), "kernel", JsonWriter.object("compared", (long) tally.compared(), "differing_by_design", (long) tally.masked(),
                                            "rejected_by_kernel_only", (long) tally.onlyKernelRejects(), "not_run", (long) tally.notRun(), "kernel_only_reasons",
                                            tally.kernelOnlyReasons()),
                            "rejections", summary.rejections(), "run_errors", summary.runErrors(), "coverage", coverageJson(summary.coverage()), "corpus", JsonWriter.object("replayed", (long) summary.replayed(), "saved",
                                            (long) summary.savedToCorpus()))));
            return exit;
        }
        out.println(summary.line());
        out.println(String.format(Locale.ROOT, "%d rejected by the verifier, %d runs stopped by an error, %.1f s, %.0f programs/s", summary.rejected(),
                        summary.failedRuns(), summary.millis() / 1000.0, summary.programsPerSecond()));
        out.println(summary.kernel().line());
        out.println(summary.coverage().line());
        if (corpus != null) {
            out.println("corpus " + corpus + ": " + summary.replayed() + " replayed, " + summary.savedToCorpus() + " saved (new instruction forms)");
        }
        summary.kernel().kernelOnlyReasons().forEach((reason, times) -> out.println("  rejected by the kernel only (" + times + "x): " + reason));
        for (String rejection : summary.rejections()) {
            out.println("  rejected: " + rejection);
        }
        for (String error : summary.runErrors()) {
            out.println("  stopped: " + error);
        }
        for (String crash : summary.crashes()) {
            out.println("  crashed: " + crash);
        }
        return exit;
    }

    /** What the progress line shows beside the count: throughput, findings so far and instruction coverage. */
    static String progressNote(FuzzCampaign.Snapshot now) {
        return String.format(Locale.ROOT, "%.0f programs/s, %d divergences, %d crashes, %d/%d forms", now.programsPerSecond(), now.divergences(), now.crashes(),
                        now.coverage().covered(), now.coverage().total());
    }

    /** The instruction coverage in --json: forms covered and valid, per class, and the forms no program used. */
    private static Map<String, Object> coverageJson(InstructionCoverage coverage) {
        Map<String, Object> classes = new LinkedHashMap<>();
        coverage.byClass().forEach((name, counts) -> classes.put(name, JsonWriter.object("covered", (long) counts[0], "valid", (long) counts[1])));
        return JsonWriter.object("forms_covered", (long) coverage.covered(), "forms_valid", (long) coverage.total(), "classes", classes, "uncovered",
                        coverage.uncovered());
    }

    /** The verifier campaign; the kernel must be there. Exit 0 when it ran (its counts are findings, not failures). */
    private static int verifierCampaign(int count, long seconds, long seed, Path dir, boolean json, PrintStream out, PrintStream err) throws Exception {
        String unavailable = DifferentialRunner.probeKernel(Map.of());
        if (unavailable != null) {
            err.println("bpf fuzz --verifier needs the kernel's verifier: " + unavailable);
            return BpfCommand.EXIT_REJECTED;
        }
        VerifierCampaign.Summary summary = VerifierCampaign.run(count, seconds, seed, dir, json ? err : out);
        if (json) {
            Map<String, Object> counts = new LinkedHashMap<>();
            for (VerifierCampaign.Agreement agreement : VerifierCampaign.Agreement.values()) {
                counts.put(agreement.name().toLowerCase(Locale.ROOT), (long) summary.count(agreement));
            }
            out.println(JsonWriter.write(JsonWriter.object("programs", (long) summary.programs(), "seconds", summary.millis() / 1000.0, "counts", counts,
                            "only_kernel_rejects_reasons", summary.onlyKernelReasons(), "only_we_reject_reasons", summary.onlyOursReasons(), "reproducers",
                            summary.reproducers().stream().map(Path::toString).toList())));
            return 0;
        }
        out.println(String.format(Locale.ROOT, "%d programs in %.1f s (%.0f programs/s)%s", summary.programs(), summary.millis() / 1000.0,
                        summary.programs() * 1000.0 / Math.max(1, summary.millis()), dir == null ? "" : ", " + summary.reproducers().size() + " reproducers in " + dir));
        printReasons("only the kernel rejects", summary.onlyKernelReasons(), out);
        printReasons("only we reject", summary.onlyOursReasons(), out);
        out.println(summary.countsLine());
        return 0;
    }

    private static int inputIndexCampaign(int count, long seconds, long seed, Path dir, boolean json, PrintStream out, PrintStream err) throws Exception {
        InputIndexCampaign.Summary summary = InputIndexCampaign.run(count, seconds, seed, dir, json ? err : out);
        int exit = summary.divergences().isEmpty() ? 0 : BpfCommand.EXIT_REJECTED;
        if (json) {
            out.println(JsonWriter.write(JsonWriter.object("programs", (long) summary.programs(), "rejected", (long) summary.rejected(), "proven_by_length",
                            (long) summary.provenByLength(), "runs", summary.runs(), "divergences", summary.divergences(), "seconds", summary.millis() / 1000.0)));
            return exit;
        }
        out.println(String.format(Locale.ROOT, "%d programs in %.1f s (%.0f programs/s): %d refused by the verifier, %d with reads proven through the length; "
                        + "%d runs checked against unchecked, %d divergences", summary.programs(), summary.millis() / 1000.0,
                        summary.programs() * 1000.0 / Math.max(1, summary.millis()), summary.rejected(), summary.provenByLength(), summary.runs(),
                        summary.divergences().size()));
        return exit;
    }

    /**
     * The campaign's engines: by default our two and the kernel where it runs programs; {@code --engines} names at
     * least two of interpreter, native and kernel, and naming the kernel requires it (exit 1 where it cannot run
     * programs here). With one of our engines only, the kernel is the other side of every comparison, and programs
     * it cannot run (raw-memory ones) are compared with nothing.
     */
    static Set<String> engines(String engines) throws UsageException, BadInputException {
        Set<String> known = Set.of(DifferentialRunner.INTERPRETER, DifferentialRunner.NATIVE, DifferentialRunner.KERNEL);
        if (engines == null) {
            return known;
        }
        Set<String> named = new TreeSet<>();
        for (String name : engines.split(",", -1)) {
            if (!known.contains(name.strip())) {
                throw new UsageException("--engines: unknown engine '" + name.strip() + "' (the engines are interpreter, native and kernel)");
            }
            named.add(name.strip());
        }
        if (named.size() < 2) {
            throw new UsageException("--engines wants at least two engines to compare, e.g. interpreter,native or native,kernel (got '" + engines + "')");
        }
        if (named.contains(DifferentialRunner.KERNEL)) {
            String unavailable = DifferentialRunner.probeKernel(Map.of());
            if (unavailable != null) {
                throw new BadInputException("--engines names the kernel, which cannot run programs here: " + unavailable);
            }
        }
        return named;
    }

    private static void printReasons(String what, Map<String, Integer> reasons, PrintStream out) {
        if (!reasons.isEmpty()) {
            out.println(what + ", by reason:");
            reasons.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).forEach(e -> out.println(String.format(Locale.ROOT, "  %6d  %s", e.getValue(), e.getKey())));
        }
    }

    private static int number(String text, int fallback, String name) throws UsageException {
        return (int) number(text, (long) fallback, name);
    }

    private static long number(String text, long fallback, String name) throws UsageException {
        if (text == null) {
            return fallback;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new UsageException(name + " wants a number, got '" + text + "'");
        }
    }
}
