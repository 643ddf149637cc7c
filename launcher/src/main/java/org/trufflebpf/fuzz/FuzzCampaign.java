package org.trufflebpf.fuzz;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A seeded campaign: generates {@code count} programs (seeds {@code seed}, {@code seed+1}, ...), runs each on
 * both engines, reduces every divergence (up to {@link #MAX_REDUCTIONS}) and writes the reproducers to a
 * folder. Programs the verifier rejects are counted: the generator means them all to be accepted.
 * <p>
 * In laundering mode ({@link LaunderingGenerator}) the programs run unverified ({@code bpf.Verify=false}): they
 * hide pointers from the verifier on purpose, and only the engines' own checks stand between them and the host.
 * Their runs are also scanned for host values ({@link HostValueScan}); a leak counts as a divergence. (Not the
 * verified programs': their shifts of random 64-bit values land in mapped ranges now and then, so the scan would
 * report noise there, while laundering programs' results are sums of loaded bytes and small numbers.)
 * <p>
 * Where the host kernel runs programs, packet programs also run there ({@link DifferentialRunner}); with a packet
 * context ({@code --context xdp|tc|socket}) every program is kernel-grade ({@link ProgramGenerator#generateForKernel})
 * so that all of them run three-way. Programs only the kernel rejects are counted apart, with their reasons.
 */
public final class FuzzCampaign {
    public static final int MAX_REDUCTIONS = 20;
    /** How long a worker may run one program before it is stopped and the program counted as a crash. */
    public static final long DEFAULT_TIMEOUT_MILLIS = 60_000;
    /** How long the reduction of one crash may take: each variant that crashes costs a worker's start. */
    public static final long CRASH_REDUCTION_MILLIS = 120_000;
    public static final String IN_FLIGHT = "in-flight.s";
    /** Small enough that a program looping until the budget stops it costs milliseconds. */
    public static final String INSTRUCTION_LIMIT = "100000";
    /** Every fourth program runs with a budget most programs exhaust somewhere, to compare where engines stop. */
    public static final String SMALL_INSTRUCTION_LIMIT = "700";

    /**
     * What a campaign found: divergences and crashes (worker deaths and timeouts) as one line each, ordered by seed;
     * {@code rejections} and {@code runErrors} hold the first few messages; {@code replayed} programs came from the
     * corpus, {@code savedToCorpus} went there.
     */
    public record Summary(int programs, int rejected, int failedRuns, List<String> divergences, List<String> crashes, List<String> rejections,
                    List<String> runErrors, long millis, KernelTally kernel, InstructionCoverage coverage, int replayed, int savedToCorpus) {
        public String line() {
            return programs + " programs, " + divergences.size() + " divergences, " + crashes.size() + " crashes";
        }

        public double programsPerSecond() {
            return programs * 1000.0 / Math.max(1, millis);
        }
    }

    /**
     * How the kernel took part: programs compared with it, compared with a difference a listed reason explains,
     * rejected by its verifier alone (with the distinct reasons, numbers masked), and not run there (with the
     * first reason).
     */
    public static final class KernelTally {
        private int compared;
        private int masked;
        private int onlyKernelRejects;
        private int notRun;
        private String notRunReason;
        private final Map<String, Integer> kernelOnlyReasons = new TreeMap<>();

        void add(DifferentialRunner.KernelResult result, String note) {
            switch (result) {
                case COMPARED -> compared++;
                case MASKED -> masked++;
                case ONLY_KERNEL_REJECTS -> {
                    onlyKernelRejects++;
                    kernelOnlyReasons.merge(VerifierCampaign.reasonKind(note), 1, Integer::sum);
                }
                case NOT_RUN -> {
                    notRun++;
                    notRunReason = notRunReason == null ? note : notRunReason;
                }
            }
        }

        public int compared() {
            return compared;
        }

        public int masked() {
            return masked;
        }

        public int onlyKernelRejects() {
            return onlyKernelRejects;
        }

        public int notRun() {
            return notRun;
        }

        /** Each distinct reason of a rejection by the kernel alone, with how often it came. */
        public Map<String, Integer> kernelOnlyReasons() {
            return Collections.unmodifiableMap(kernelOnlyReasons);
        }

        /** One line: the four counts, and why programs did not run in the kernel when none did. */
        public String line() {
            return "kernel: " + compared + " compared, " + masked + " differing by design, " + onlyKernelRejects + " rejected by the kernel only, " + notRun
                            + " not run" + (notRun > 0 && compared + masked + onlyKernelRejects == 0 ? " (" + notRunReason + ")" : "");
        }
    }

    /**
     * Where a campaign stands after each program, for a progress display: programs done, divergences and crashes so
     * far, and the instruction forms covered (the tally itself: read it, do not keep it).
     */
    public record Snapshot(int programs, int divergences, int crashes, long millis, InstructionCoverage coverage) {
        public double programsPerSecond() {
            return programs * 1000.0 / Math.max(1, millis);
        }
    }

    /** Sees where a campaign stands after each program (its own type: a Consumer would clash with the pool hook's overload). */
    @FunctionalInterface
    public interface ProgressListener {
        void update(Snapshot now);
    }

    private FuzzCampaign() {
    }

    /** The options both engines' contexts get: the budget, the seed of the clock and random helpers, the tail-call ABI. */
    public static Map<String, String> options(String instructionLimit, long seed, String tailCallAbi) {
        return Map.of("bpf.InstructionLimit", instructionLimit, "bpf.Seed", Long.toString(seed), "bpf.TailCallAbi", tailCallAbi);
    }

    /** As {@link #options(String, long, String)}, without the verifier when {@code launder}. */
    public static Map<String, String> options(String instructionLimit, long seed, String tailCallAbi, boolean launder) {
        Map<String, String> options = new HashMap<>(options(instructionLimit, seed, tailCallAbi));
        if (launder) {
            options.put("bpf.Verify", "false");
        }
        return Map.copyOf(options);
    }

    /** {@link #run(int, long, long, int, boolean, String, Path, PrintStream, boolean)} without the soundness pairing. */
    public static Summary run(int count, long seconds, long seed, int bodyLength, boolean launder, String context, Path out, PrintStream log)
                    throws IOException {
        return run(count, seconds, seed, bodyLength, launder, context, out, log, false);
    }

    /** {@link #run(int, long, long, int, boolean, String, Path, PrintStream, boolean, int, long)} in this JVM, without workers. */
    public static Summary run(int count, long seconds, long seed, int bodyLength, boolean launder, String context, Path out, PrintStream log,
                    boolean soundness) throws IOException {
        return run(count, seconds, seed, bodyLength, launder, context, out, log, soundness, 0, DEFAULT_TIMEOUT_MILLIS);
    }

    /**
     * Runs the campaign: {@code count} programs, or as many as {@code seconds} allow when positive (then
     * {@code count} is an upper bound); {@code launder} picks the laundering generator, a {@code context} (xdp, tc or
     * socket; null: any) kernel-grade programs of that packet context; with {@code soundness} one engine of each
     * pair trusts the verifier's proofs and the other keeps every run-time check. {@code out} (may be null)
     * receives reproducers, {@code log} (may be null) one line per divergence or crash.
     * <p>
     * With {@code workers} 0 the programs run in this JVM, and {@code out} also holds {@link #IN_FLIGHT}, the
     * program running now: an escape may crash the JVM, and then that file is the reproducer (removed when the
     * campaign ends normally). With {@code workers} above 0 they run in that many worker processes
     * ({@link WorkerPool}): a crash or a program running longer than {@code timeoutMillis} costs that program only,
     * which is counted as a crash and saved as {@code crash-SEED.s}.
     */
    public static Summary run(int count, long seconds, long seed, int bodyLength, boolean launder, String context, Path out, PrintStream log,
                    boolean soundness, int workers, long timeoutMillis) throws IOException {
        return run(count, seconds, seed, bodyLength, launder, context, out, log, soundness, workers, timeoutMillis, true, (WorkerPool pool) -> {
        });
    }

    /** As above; without {@code kernel} the host kernel takes no part even where it runs programs. */
    public static Summary run(int count, long seconds, long seed, int bodyLength, boolean launder, String context, Path out, PrintStream log,
                    boolean soundness, int workers, long timeoutMillis, boolean kernel) throws IOException {
        return run(count, seconds, seed, bodyLength, launder, context, out, log, soundness, workers, timeoutMillis, engines(kernel), null, (Snapshot snapshot) -> {
        });
    }

    /**
     * As above, on {@code engines} (at least two of interpreter, native and kernel; the kernel where it runs programs);
     * {@code progress} sees where the campaign stands after each program (for a progress display). With a
     * {@code corpus} folder (may be null) every program saved there ({@link Corpus}) is replayed first, whatever
     * {@code count} and {@code seconds} say, and each new program that covers an instruction form none before it had
     * (replayed ones included) is saved there as {@code corpus-SEED.s}.
     */
    public static Summary run(int count, long seconds, long seed, int bodyLength, boolean launder, String context, Path out, PrintStream log,
                    boolean soundness, int workers, long timeoutMillis, Set<String> engines, Path corpus, ProgressListener progress) throws IOException {
        return run(count, seconds, seed, bodyLength, launder, context, out, log, soundness, workers, timeoutMillis, engines, (WorkerPool pool) -> {
        }, corpus, progress);
    }

    /** Our two engines, and the kernel where it runs programs when {@code kernel}. */
    private static Set<String> engines(boolean kernel) {
        return kernel ? Set.of(DifferentialRunner.INTERPRETER, DifferentialRunner.NATIVE, DifferentialRunner.KERNEL)
                        : Set.of(DifferentialRunner.INTERPRETER, DifferentialRunner.NATIVE);
    }

    /** As above; {@code started} sees the worker pool once its workers are starting (a test kills one). */
    static Summary run(int count, long seconds, long seed, int bodyLength, boolean launder, String context, Path out, PrintStream log,
                    boolean soundness, int workers, long timeoutMillis, boolean kernel, Consumer<WorkerPool> started) throws IOException {
        return run(count, seconds, seed, bodyLength, launder, context, out, log, soundness, workers, timeoutMillis, engines(kernel), started, null, (Snapshot snapshot) -> {
        });
    }

    private static Summary run(int count, long seconds, long seed, int bodyLength, boolean launder, String context, Path out, PrintStream log,
                    boolean soundness, int workers, long timeoutMillis, Set<String> engines, Consumer<WorkerPool> started, Path corpus,
                    ProgressListener progress) throws IOException {
        CampaignTrials.Settings settings = new CampaignTrials.Settings(seed, bodyLength, launder, context, out, soundness, engines);
        List<Corpus.Entry> saved = corpus == null ? List.of() : Corpus.read(corpus);
        long start = System.nanoTime();
        Tally tally = new Tally(log, settings, corpus);
        // Time spent running programs (not reducing crashes afterwards): what programs per second divide by.
        long runMillis = -1;
        if (workers <= 0) {
            try (CampaignTrials trials = new CampaignTrials(settings)) {
                for (Corpus.Entry entry : saved) {
                    tally.add(new WorkerPool.Job(entry.seed(), entry.c()), trials.runCase(entry.seed(), entry.c()), true);
                    progress.update(tally.snapshot(start));
                }
                long deadline = seconds > 0 ? System.nanoTime() + seconds * 1_000_000_000L : Long.MAX_VALUE;
                for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
                    tally.add(new WorkerPool.Job(seed + i, null), trials.run(seed + i, log, true), true);
                    progress.update(tally.snapshot(start));
                }
            }
            if (out != null) {
                Files.deleteIfExists(out.resolve(IN_FLIGHT));
            }
        } else {
            int[] nextSaved = {0};
            long[] nextIndex = {0};
            // The clock starts when the first worker asks for a new program: --seconds is time spent running them.
            long[] workerDeadline = {0};
            try (WorkerPool pool = new WorkerPool(settings, timeoutMillis)) {
                started.accept(pool);
                pool.runJobs(workers, () -> {
                    if (nextSaved[0] < saved.size()) {
                        Corpus.Entry entry = saved.get(nextSaved[0]++);
                        return new WorkerPool.Job(entry.seed(), entry.c());
                    }
                    if (nextIndex[0] == 0 && seconds > 0) {
                        workerDeadline[0] = System.nanoTime() + seconds * 1_000_000_000L;
                    }
                    return nextIndex[0] < count && (seconds <= 0 || System.nanoTime() < workerDeadline[0]) ? new WorkerPool.Job(seed + nextIndex[0]++, null) : null;
                }, (job, result) -> {
                    try {
                        tally.add(job, result, false);
                    } catch (IOException e) {
                        throw new UncheckedIOException("could not save to the corpus: " + e.getMessage(), e);
                    }
                    progress.update(tally.snapshot(start));
                });
                runMillis = (System.nanoTime() - start) / 1_000_000;
                if (out != null) {
                    tally.reduceCrashes(pool, log);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("the campaign was interrupted", e);
            }
        }
        tally.saveCorpus();
        tally.findings.sort(null);
        List<String> divergences = tally.findings.stream().filter(f -> !f.crash()).map(Finding::text).toList();
        List<String> crashes = tally.findings.stream().filter(Finding::crash).map(Finding::text).toList();
        return new Summary(tally.programs, tally.rejected, tally.failedRuns, divergences, crashes, tally.rejections, tally.runErrors,
                        runMillis >= 0 ? runMillis : (System.nanoTime() - start) / 1_000_000, tally.kernel, tally.coverage, tally.replayed, tally.saved);
    }

    /**
     * A divergence or crash, ordered by seed so that a campaign's summary does not depend on which worker was faster;
     * {@code replayed}: of a saved program (its file is the reproducer, and the seed does not make it).
     */
    private record Finding(long seed, String text, boolean crash, boolean replayed) implements Comparable<Finding> {
        @Override
        public int compareTo(Finding other) {
            return Long.compare(seed, other.seed);
        }
    }

    /** The counts of a campaign, as its programs' results come in. */
    private static final class Tally {
        private final PrintStream log;
        int programs;
        int rejected;
        int failedRuns;
        final List<Finding> findings = new ArrayList<>();
        final List<String> rejections = new ArrayList<>();
        final List<String> runErrors = new ArrayList<>();
        final KernelTally kernel = new KernelTally();
        final InstructionCoverage coverage = InstructionCoverage.ofLanguage();

        private final CampaignTrials.Settings settings;
        /** Where programs covering new forms are saved; null: nowhere. */
        private final Path corpus;
        int replayed;
        int saved;
        /** The forms the replayed programs covered, and the new programs that covered more, in order of arrival. */
        private final InstructionCoverage replayedForms = coverage.fresh();
        private final List<ProgramResult> corpusCandidates = new ArrayList<>();

        Tally(PrintStream log, CampaignTrials.Settings settings, Path corpus) {
            this.log = log;
            this.settings = settings;
            this.corpus = corpus;
        }

        Snapshot snapshot(long startNanos) {
            int crashes = (int) findings.stream().filter(Finding::crash).count();
            return new Snapshot(programs, findings.size() - crashes, crashes, (System.nanoTime() - startNanos) / 1_000_000, coverage);
        }

        /** Reduces the first crashes (each within {@link #CRASH_REDUCTION_MILLIS}) and adds what came of it to each. */
        void reduceCrashes(WorkerPool pool, PrintStream log) throws IOException, InterruptedException {
            int left = MAX_REDUCTIONS;
            for (int i = 0; i < findings.size() && left > 0; i++) {
                Finding finding = findings.get(i);
                if (finding.crash() && !finding.replayed()) {
                    left--;
                    String note = pool.reduceCrash(finding.seed(), CRASH_REDUCTION_MILLIS);
                    findings.set(i, new Finding(finding.seed(), finding.text() + " (" + note + ")", true, false));
                    if (log != null) {
                        log.println("  seed " + finding.seed() + ": " + note);
                    }
                }
            }
        }

        /**
         * Saves to the corpus, in seed order, each new program that covers forms neither the replayed programs nor
         * an earlier saved one covers. Decided after the campaign: workers answer out of order, so a new program can
         * arrive before a replayed one that covers the same forms.
         */
        void saveCorpus() throws IOException {
            if (corpus == null) {
                return;
            }
            corpusCandidates.sort((a, b) -> Long.compare(a.seed(), b.seed()));
            for (ProgramResult candidate : corpusCandidates) {
                if (replayedForms.add(candidate.forms())) {
                    Corpus.save(corpus, settings, candidate.seed(), "covered " + replayedForms.covered() + "/" + replayedForms.total() + " instruction forms");
                    saved++;
                }
            }
        }

        /**
         * {@code said}: a generated program's finding was said already (in this JVM, as it ran; a worker logs nothing
         * itself). A new program covering new forms goes to the corpus.
         */
        void add(WorkerPool.Job job, ProgramResult result, boolean said) throws IOException {
            programs++;
            kernel.add(result.kernelResult(), result.kernelNote());
            boolean newForms = coverage.add(result.forms());
            if (job.saved() != null) {
                replayed++;
                replayedForms.add(result.forms());
            } else if (newForms && corpus != null) {
                corpusCandidates.add(result);
            }
            if ("rejected".equals(result.errorKind())) {
                rejected++;
                if (rejections.size() < 5) {
                    rejections.add(result.error());
                }
            }
            if ("runtime".equals(result.errorKind())) {
                failedRuns++;
                if (runErrors.size() < 5) {
                    runErrors.add(result.error());
                }
            }
            if (result.isFinding()) {
                boolean crash = ProgramResult.CRASH.equals(result.errorKind());
                // A saved program's finding names its file (a crash's already does: the pool knows what it ran).
                String text = job.saved() == null || crash ? result.finding() : job.saved().name() + " (seed " + job.seed() + "): " + result.finding();
                findings.add(new Finding(result.seed(), text, crash, job.saved() != null));
                if (log != null && (job.saved() != null || !said)) {
                    log.println(text);
                }
            }
        }
    }
}
