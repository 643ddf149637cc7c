package org.trufflebpf.fuzz;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;

/**
 * The soundness campaign of the reads proven through a raw program's input length ({@code bpf fuzz --input-index}):
 * programs from {@link InputIndexGenerator}, each run over its lengths with one engine trusting the verifier's
 * proofs and the other checking every access (which engine trusts alternates by program). A read proven wrongly
 * runs unchecked on one side and is refused on the other: a divergence, saved as {@code input-index-SEED.s} with
 * the input that shows it. Runs in this JVM, as the verifier campaign does.
 */
public final class InputIndexCampaign {
    /** How {@code bpf verify} marks a program with reads proven through the length ({@code VerifierReport}). */
    private static final String PROVEN_BY_LENGTH = "proven through the input's length";

    /**
     * @param programs          programs generated
     * @param rejected          of those, refused by the verifier (they run on neither engine)
     * @param provenByLength    of those verified, programs with a read proven through the length
     * @param runs              program runs compared
     * @param divergences       one line per divergence
     */
    public record Summary(int programs, int rejected, int provenByLength, long runs, List<String> divergences, long millis) {
    }

    private InputIndexCampaign() {
    }

    public static Summary run(int count, long seconds, long seed, Path out, PrintStream log) throws IOException {
        long start = System.nanoTime();
        long deadline = seconds > 0 ? start + seconds * 1_000_000_000L : Long.MAX_VALUE;
        Map<String, String> options = FuzzCampaign.options(FuzzCampaign.INSTRUCTION_LIMIT, seed, "counter-by-value");
        int programs = 0;
        int rejected = 0;
        int proven = 0;
        long runs = 0;
        List<String> divergences = new ArrayList<>();
        try (DifferentialRunner nativeTrusts = soundnessRunner(options, true); DifferentialRunner interpreterTrusts = soundnessRunner(options, false);
                        Context reader = QuietContexts.reader(Map.of())) {
            for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
                long programSeed = seed + i;
                InputIndexGenerator.Generated generated = InputIndexGenerator.generate(programSeed);
                programs++;
                String report;
                try {
                    report = reader.eval(Source.newBuilder("bpf", generated.text(), "input-index.s").mimeType(DiffCase.ASM_MIME).buildLiteral())
                                    .invokeMember("verify", "main").asString();
                } catch (PolyglotException refused) {
                    rejected++;
                    continue;
                }
                if (report.contains(PROVEN_BY_LENGTH)) {
                    proven++;
                }
                DifferentialRunner runner = programSeed % 2 == 0 ? nativeTrusts : interpreterTrusts;
                SplittableRandom bytes = new SplittableRandom(programSeed);
                for (int length : generated.lengths()) {
                    byte[] input = new byte[length];
                    bytes.nextBytes(input);
                    DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly("input-index.s", generated.text(), null, input));
                    runs++;
                    if (comparison.diverges()) {
                        String line = "seed " + programSeed + ", " + length + "-byte input: " + comparison.report().lines().findFirst().orElse("");
                        divergences.add(line);
                        if (log != null) {
                            log.println("divergence: " + line);
                        }
                        if (out != null) {
                            Files.createDirectories(out);
                            Files.writeString(out.resolve("input-index-" + programSeed + ".s"), "# input-index seed " + programSeed + " (campaign seed " + seed + ")\n# input ("
                                            + length + " bytes): " + Outcome.hex(input) + "\n# " + comparison.report().replace("\n", "\n# ") + "\n" + generated.text());
                        }
                        break;
                    }
                }
            }
        }
        return new Summary(programs, rejected, proven, runs, List.copyOf(divergences), (System.nanoTime() - start) / 1_000_000);
    }

    /** One engine trusts the proofs, the other keeps every run-time check (as {@code --checked-vs-unchecked} pairs them). */
    private static DifferentialRunner soundnessRunner(Map<String, String> options, boolean nativeTrusts) {
        Map<String, String> both = new HashMap<>(options);
        both.put("bpf.TrustProofs", Boolean.toString(!nativeTrusts));
        return new DifferentialRunner(both, Map.of("bpf.TrustProofs", Boolean.toString(nativeTrusts)), Map.of("bpf.KernelEngine", "disabled"));
    }
}
