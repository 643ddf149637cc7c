package org.trufflebpf.fuzz;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A seeded campaign: generates {@code count} programs (seeds {@code seed}, {@code seed+1}, ...), runs each on
 * both engines, reduces every divergence (up to {@link #MAX_REDUCTIONS}) and writes the reproducers to a
 * folder. Programs the verifier rejects are counted: the generator means them all to be accepted.
 */
public final class FuzzCampaign {
    public static final int MAX_REDUCTIONS = 20;
    /** Small enough that a program looping until the budget stops it costs milliseconds. */
    public static final String INSTRUCTION_LIMIT = "100000";
    /** Every fourth program runs with a budget most programs exhaust somewhere, to compare where engines stop. */
    public static final String SMALL_INSTRUCTION_LIMIT = "700";

    /** What a campaign found; {@code rejections} holds the first few rejection messages. */
    public record Summary(int programs, int rejected, int failedRuns, List<String> divergences, List<String> rejections, List<String> runErrors,
                    long millis) {
        public String line() {
            return programs + " programs, " + divergences.size() + " divergences";
        }

        public double programsPerSecond() {
            return programs * 1000.0 / Math.max(1, millis);
        }
    }

    private FuzzCampaign() {
    }

    /** The options both engines' contexts get: the budget, and the seed of the clock and random helpers. */
    public static Map<String, String> options(String instructionLimit, long seed) {
        return Map.of("bpf.InstructionLimit", instructionLimit, "bpf.Seed", Long.toString(seed));
    }

    /**
     * Runs the campaign; {@code out} (may be null) receives reproducers, {@code log} (may be null) one line per
     * divergence.
     */
    public static Summary run(int count, long seed, int bodyLength, Path out, PrintStream log) throws IOException {
        long start = System.nanoTime();
        List<String> divergences = new ArrayList<>();
        List<String> rejections = new ArrayList<>();
        List<String> runErrors = new ArrayList<>();
        int rejected = 0;
        int failedRuns = 0;
        try (DifferentialRunner normal = new DifferentialRunner(options(INSTRUCTION_LIMIT, seed));
                        DifferentialRunner small = new DifferentialRunner(options(SMALL_INSTRUCTION_LIMIT, seed))) {
            for (int i = 0; i < count; i++) {
                long programSeed = seed + i;
                ProgramGenerator.Generated generated = ProgramGenerator.generate(programSeed, bodyLength);
                // Odd seeds share the tail-call counter through a pointer; the others pass it by value.
                DiffCase c = DiffCase.assembly("fuzz-" + programSeed + ".s", generated.text(), "main", generated.input())
                                .withTailCallAbi(programSeed % 2 == 0 ? "counter-by-value" : "shared");
                DifferentialRunner runner = programSeed % 4 == 3 ? small : normal;
                DifferentialRunner.Comparison comparison = runner.compare(c);
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
                if (divergences.size() < MAX_REDUCTIONS) {
                    Reducer.Reduced reduced = new Reducer(runner).reduce(c, comparison);
                    String text = Reproducer.text(reduced, runner, "fuzz seed " + programSeed + " (campaign seed " + seed + ")",
                                    runner == small ? options(SMALL_INSTRUCTION_LIMIT, seed) : options(INSTRUCTION_LIMIT, seed));
                    if (out != null) {
                        Path file = Reproducer.write(out, "divergence-" + programSeed + ".s", text);
                        what += " -> " + file;
                    }
                    if (log != null) {
                        log.println(what);
                        if (out == null) {
                            log.println(text);
                        }
                    }
                } else if (log != null) {
                    log.println(what);
                }
                divergences.add(what);
            }
        }
        return new Summary(count, rejected, failedRuns, divergences, rejections, runErrors, (System.nanoTime() - start) / 1_000_000);
    }
}
