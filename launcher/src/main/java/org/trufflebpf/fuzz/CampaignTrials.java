package org.trufflebpf.fuzz;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.graalvm.polyglot.Context;

/**
 * Runs the programs of one campaign, one seed at a time: generates the program of a seed, compares the engines on
 * it, and reduces a divergence to a reproducer in the campaign's folder. The campaign's own JVM uses it when it runs
 * programs itself, and each {@link FuzzWorker} process when workers run them; either way a seed gives the same
 * program and the same comparison.
 */
final class CampaignTrials implements AutoCloseable {
    /**
     * What a campaign runs: its first seed, program length, generator, folder for reproducers (may be null), and
     * its engines (at least two of {@link DifferentialRunner#INTERPRETER}, {@link DifferentialRunner#NATIVE} and
     * {@link DifferentialRunner#KERNEL}; the kernel where it can run programs; the soundness pairing is always our two).
     */
    record Settings(long seed, int bodyLength, boolean launder, String context, Path out, boolean soundness, Set<String> engines) {
        Settings {
            if (soundness && launder) {
                throw new IllegalArgumentException("laundering programs are unverified: they have no proofs to check");
            }
            engines = Set.copyOf(engines);
        }

        boolean kernel() {
            return engines.contains(DifferentialRunner.KERNEL);
        }

        /** Which of our two engines take part. */
        Set<String> ours() {
            Set<String> ours = new TreeSet<>(engines);
            ours.remove(DifferentialRunner.KERNEL);
            return ours;
        }
    }

    private final Settings settings;
    private final Map<String, String> byValueOptions;
    private final Map<String, String> sharedOptions;
    private final Map<String, String> smallOptions;
    private final DifferentialRunner byValue;
    private final DifferentialRunner shared;
    private final DifferentialRunner small;
    /** Reads each program's instruction forms (for the campaign's coverage) without preparing it. */
    private final Context reader;
    /** Reductions left: each costs many comparisons, so a campaign reduces only its first divergences. */
    private int reductionsLeft = FuzzCampaign.MAX_REDUCTIONS;

    CampaignTrials(Settings settings) {
        this.settings = settings;
        // The native engine compiles for its context's tail-call ABI, so each ABI has its own pair of contexts.
        byValueOptions = FuzzCampaign.options(FuzzCampaign.INSTRUCTION_LIMIT, settings.seed(), "counter-by-value", settings.launder());
        sharedOptions = FuzzCampaign.options(FuzzCampaign.INSTRUCTION_LIMIT, settings.seed(), "shared", settings.launder());
        smallOptions = FuzzCampaign.options(FuzzCampaign.SMALL_INSTRUCTION_LIMIT, settings.seed(), "counter-by-value", settings.launder());
        byValue = runner(byValueOptions, true);
        shared = runner(sharedOptions, false);
        small = runner(smallOptions, true);
        reader = QuietContexts.reader(Map.of());
    }

    private DifferentialRunner runner(Map<String, String> options, boolean nativeTrusts) {
        if (settings.soundness()) {
            // One engine trusts the verifier's proofs, the other keeps every run-time check; the kernel has no checked mode.
            Map<String, String> both = new HashMap<>(options);
            both.put("bpf.TrustProofs", Boolean.toString(!nativeTrusts));
            return new DifferentialRunner(both, Map.of("bpf.TrustProofs", Boolean.toString(nativeTrusts)), Map.of("bpf.KernelEngine", "disabled"));
        }
        DifferentialRunner runner = new DifferentialRunner(options, Map.of(), settings.kernel() ? Map.of() : Map.of("bpf.KernelEngine", "disabled"), settings.ours());
        return settings.launder() ? runner.scanHostValues() : runner;
    }

    /** The program of a seed, as the campaign's generator makes it. */
    static ProgramGenerator.Generated generate(Settings settings, long programSeed) {
        return settings.launder() ? LaunderingGenerator.generate(programSeed, settings.bodyLength())
                        : settings.context() != null ? ProgramGenerator.generateForKernel(programSeed, settings.bodyLength(), settings.context())
                                        : ProgramGenerator.generate(programSeed, settings.bodyLength());
    }

    /** The header of a saved program: its seed, whether it runs unverified, and the input it runs on. */
    static String header(Settings settings, long programSeed, byte[] input) {
        return "fuzz seed " + programSeed + " (campaign seed " + settings.seed() + ")" + (settings.launder() ? ", unverified" : "") + "\n# input ("
                        + input.length + " bytes): " + Outcome.hex(input) + "\n";
    }

    /**
     * Runs one program on the engines. With {@code inFlight}, writes it to {@link FuzzCampaign#IN_FLIGHT} first when
     * the campaign has a folder (a crash of this JVM leaves that file as the reproducer; workers need none, since
     * their campaign knows what each runs); a divergence is said to {@code log} (may be null) before
     * its reduction, so that the finding survives whatever the reduction runs into.
     */
    ProgramResult run(long programSeed, PrintStream log, boolean inFlight) throws IOException {
        DiffCase c = caseOf(settings, programSeed);
        if (inFlight && settings.out() != null) {
            Reproducer.write(settings.out(), FuzzCampaign.IN_FLIGHT, "# in flight: " + header(settings, programSeed, c.input()) + c.text());
        }
        DifferentialRunner runner = runnerFor(programSeed);
        DifferentialRunner.Comparison comparison = runner.compare(c);
        String finding = null;
        if (comparison.diverges()) {
            finding = "seed " + programSeed + ": " + String.join("; ", comparison.differences());
            if (log != null) {
                log.println(finding);
            }
            if (reductionsLeft > 0) {
                reductionsLeft--;
                finding = reduce(programSeed, c, comparison, runner, finding, log);
            }
        }
        return new ProgramResult(programSeed, comparison.ours().errorKind(), comparison.ours().error(), comparison.kernelResult(), comparison.kernelNote(),
                        finding, InstructionCoverage.formsOf(reader, c));
    }

    /**
     * Runs a case as the program of {@code programSeed} would run (same runner), without reducing it: a variant under a
     * crash's reduction, or a saved program replayed from a corpus.
     */
    ProgramResult runCase(long programSeed, DiffCase c) {
        DifferentialRunner.Comparison comparison = runnerFor(programSeed).compare(c);
        return new ProgramResult(programSeed, comparison.ours().errorKind(), comparison.ours().error(), comparison.kernelResult(), comparison.kernelNote(),
                        comparison.diverges() ? String.join("; ", comparison.differences()) : null, InstructionCoverage.formsOf(reader, c));
    }

    /** The case of a seed: its program and input. */
    static DiffCase caseOf(Settings settings, long programSeed) {
        ProgramGenerator.Generated generated = generate(settings, programSeed);
        return DiffCase.assembly("fuzz-" + programSeed + ".s", generated.text(), "main", generated.input());
    }

    // Odd seeds share the tail-call counter through a pointer; every fourth runs on a small budget.
    private DifferentialRunner runnerFor(long programSeed) {
        return programSeed % 4 == 3 ? small : programSeed % 2 == 1 ? shared : byValue;
    }

    private String reduce(long programSeed, DiffCase c, DifferentialRunner.Comparison comparison, DifferentialRunner runner, String finding, PrintStream log) {
        try {
            Reducer.Reduced reduced = new Reducer(runner).reduce(c, comparison);
            String text = Reproducer.text(reduced, runner, "fuzz seed " + programSeed + " (campaign seed " + settings.seed() + ")",
                            runner == small ? smallOptions : runner == shared ? sharedOptions : byValueOptions);
            if (settings.out() == null) {
                if (log != null) {
                    log.println(text);
                }
                return finding;
            }
            Path file = Reproducer.write(settings.out(), "divergence-" + programSeed + ".s", text);
            if (log != null) {
                log.println("  reduced to " + file);
            }
            return finding + " -> " + file;
        } catch (RuntimeException | IOException e) {
            if (log != null) {
                log.println("  reduction failed: " + e);
            }
            return finding + " (reduction failed: " + e + ")";
        }
    }

    @Override
    public void close() {
        try (byValue; shared; small; reader) {
            // closes all four, each even when another fails
        }
    }
}
