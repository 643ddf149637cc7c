package org.trufflebpf.fuzz;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
    public static final String IN_FLIGHT = "in-flight.s";
    /** Small enough that a program looping until the budget stops it costs milliseconds. */
    public static final String INSTRUCTION_LIMIT = "100000";
    /** Every fourth program runs with a budget most programs exhaust somewhere, to compare where engines stop. */
    public static final String SMALL_INSTRUCTION_LIMIT = "700";

    /** What a campaign found; {@code rejections} holds the first few rejection messages. */
    public record Summary(int programs, int rejected, int failedRuns, List<String> divergences, List<String> rejections, List<String> runErrors,
                    long millis, KernelTally kernel) {
        public String line() {
            return programs + " programs, " + divergences.size() + " divergences";
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

        void add(DifferentialRunner.Comparison comparison) {
            switch (comparison.kernelResult()) {
                case COMPARED -> compared++;
                case MASKED -> masked++;
                case ONLY_KERNEL_REJECTS -> {
                    onlyKernelRejects++;
                    kernelOnlyReasons.merge(VerifierCampaign.reasonKind(comparison.kernelNote()), 1, Integer::sum);
                }
                case NOT_RUN -> {
                    notRun++;
                    notRunReason = notRunReason == null ? comparison.kernelNote() : notRunReason;
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

    private static DifferentialRunner runner(Map<String, String> options, boolean launder) {
        DifferentialRunner runner = new DifferentialRunner(options);
        return launder ? runner.scanHostValues() : runner;
    }

    /**
     * A soundness pair: both engines verify and run the same program, but one trusts the verifier's proofs (no
     * run-time check for a proven access) and the other keeps every check ({@code bpf.TrustProofs=false}). They
     * must agree on every verified program: a difference is an access the verifier proved wrongly.
     * {@code nativeTrusts} says which engine trusts. The kernel takes no part (it has no checked mode to compare).
     */
    private static DifferentialRunner soundnessRunner(Map<String, String> options, boolean nativeTrusts) {
        Map<String, String> both = new HashMap<>(options);
        both.put("bpf.TrustProofs", Boolean.toString(!nativeTrusts));
        return new DifferentialRunner(both, Map.of("bpf.TrustProofs", Boolean.toString(nativeTrusts)), Map.of("bpf.KernelEngine", "disabled"));
    }

    /** {@link #run(int, long, long, int, boolean, String, Path, PrintStream, boolean)} without the soundness pairing. */
    public static Summary run(int count, long seconds, long seed, int bodyLength, boolean launder, String context, Path out, PrintStream log)
                    throws IOException {
        return run(count, seconds, seed, bodyLength, launder, context, out, log, false);
    }

    /**
     * Runs the campaign: {@code count} programs, or as many as {@code seconds} allow when positive (then
     * {@code count} is an upper bound); {@code launder} picks the laundering generator, a {@code context} (xdp, tc or
     * socket; null: any) kernel-grade programs of that packet context. {@code out} (may be null)
     * receives reproducers, {@code log} (may be null) one line per divergence. {@code out} also
     * holds {@link #IN_FLIGHT}, the program running now: an escape may crash the JVM, and then that file is the
     * reproducer (removed when the campaign ends normally).
     */
    public static Summary run(int count, long seconds, long seed, int bodyLength, boolean launder, String context, Path out, PrintStream log,
                    boolean soundness) throws IOException {
        if (soundness && launder) {
            throw new IllegalArgumentException("laundering programs are unverified: they have no proofs to check");
        }
        long start = System.nanoTime();
        long deadline = seconds > 0 ? start + seconds * 1_000_000_000L : Long.MAX_VALUE;
        int programs = 0;
        List<String> divergences = new ArrayList<>();
        List<String> rejections = new ArrayList<>();
        List<String> runErrors = new ArrayList<>();
        int rejected = 0;
        int failedRuns = 0;
        KernelTally kernel = new KernelTally();
        // The native engine compiles for its context's tail-call ABI, so each ABI has its own pair of contexts.
        Map<String, String> byValueOptions = options(INSTRUCTION_LIMIT, seed, "counter-by-value", launder);
        Map<String, String> sharedOptions = options(INSTRUCTION_LIMIT, seed, "shared", launder);
        Map<String, String> smallOptions = options(SMALL_INSTRUCTION_LIMIT, seed, "counter-by-value", launder);
        try (DifferentialRunner byValue = soundness ? soundnessRunner(byValueOptions, true) : runner(byValueOptions, launder);
                        DifferentialRunner shared = soundness ? soundnessRunner(sharedOptions, false) : runner(sharedOptions, launder);
                        DifferentialRunner small = soundness ? soundnessRunner(smallOptions, true) : runner(smallOptions, launder)) {
            for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
                programs++;
                long programSeed = seed + i;
                ProgramGenerator.Generated generated = launder ? LaunderingGenerator.generate(programSeed, bodyLength)
                                : context != null ? ProgramGenerator.generateForKernel(programSeed, bodyLength, context) : ProgramGenerator.generate(programSeed, bodyLength);
                DiffCase c = DiffCase.assembly("fuzz-" + programSeed + ".s", generated.text(), "main", generated.input());
                if (out != null) {
                    Reproducer.write(out, IN_FLIGHT, "# in flight: fuzz seed " + programSeed + " (campaign seed " + seed + ")" + (launder ? ", unverified" : "")
                                    + "\n# input (" + generated.input().length + " bytes): " + Outcome.hex(generated.input()) + "\n" + generated.text());
                }
                // Odd seeds share the tail-call counter through a pointer; every fourth runs on a small budget.
                DifferentialRunner runner = programSeed % 4 == 3 ? small : programSeed % 2 == 1 ? shared : byValue;
                DifferentialRunner.Comparison comparison = runner.compare(c);
                kernel.add(comparison);
                if ("rejected".equals(comparison.interpreter().errorKind())) {
                    rejected++;
                    if (rejections.size() < 5) {
                        rejections.add(comparison.interpreter().error());
                    }
                }
                if ("runtime".equals(comparison.interpreter().errorKind())) {
                    failedRuns++;
                    if (runErrors.size() < 5) {
                        runErrors.add(comparison.interpreter().error());
                    }
                }
                if (!comparison.diverges()) {
                    continue;
                }
                String what = "seed " + programSeed + ": " + String.join("; ", comparison.differences());
                if (log != null) {
                    // Said before reducing, so that the finding survives whatever the reduction runs into.
                    log.println(what);
                }
                if (divergences.size() < MAX_REDUCTIONS) {
                    try {
                        Reducer.Reduced reduced = new Reducer(runner).reduce(c, comparison);
                        String text = Reproducer.text(reduced, runner, "fuzz seed " + programSeed + " (campaign seed " + seed + ")",
                                        runner == small ? smallOptions : runner == shared ? sharedOptions : byValueOptions);
                        if (out != null) {
                            Path file = Reproducer.write(out, "divergence-" + programSeed + ".s", text);
                            what += " -> " + file;
                        }
                        if (log != null) {
                            log.println(out == null ? text : "  reduced to " + what.substring(what.lastIndexOf(" -> ") + 4));
                        }
                    } catch (RuntimeException e) {
                        what += " (reduction failed: " + e + ")";
                        if (log != null) {
                            log.println("  reduction failed: " + e);
                        }
                    }
                }
                divergences.add(what);
            }
        }
        if (out != null) {
            Files.deleteIfExists(out.resolve(IN_FLIGHT));
        }
        return new Summary(programs, rejected, failedRuns, divergences, rejections, runErrors, (System.nanoTime() - start) / 1_000_000, kernel);
    }
}
