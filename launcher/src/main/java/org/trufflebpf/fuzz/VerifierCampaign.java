package org.trufflebpf.fuzz;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.trufflebpf.fuzz.VerifierVerdicts.Verdict;

/**
 * {@code bpf fuzz --verifier}: programs near the safety boundary ({@link VerifierGenerator}) verified by our
 * verifier and by the host kernel's ({@link KernelEngineProvider#verify}), counted as both accept, both reject, only we reject,
 * only the kernel rejects. A program only the kernel rejects is a safety question for ours (do we let something
 * unsafe through, or is the kernel stricter than it must be?): each is saved as a {@code .s} reproducer with the
 * kernel's reason in its header, reduced to the instructions that keep ours accepting and the kernel rejecting for
 * the same reason (the first {@link #REDUCED_PER_REASON} of each reason; later ones as generated).
 */
public final class VerifierCampaign {
    /** How many reproducers of one kernel reason are reduced: reduction costs a kernel load per attempt. */
    public static final int REDUCED_PER_REASON = 10;
    private static final int LOG_LINES = 12;

    /** The four ways two verdicts meet. */
    public enum Agreement {
        BOTH_ACCEPT("both accept"),
        BOTH_REJECT("both reject"),
        ONLY_WE_REJECT("only we reject"),
        ONLY_THE_KERNEL_REJECTS("only the kernel rejects");

        private final String words;

        Agreement(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }


    /**
     * What a campaign found: programs, the four counts, the distinct reasons (numbers masked, with how often) of
     * the one-sided rejections, and the reproducers written.
     */
    public record Summary(int programs, Map<Agreement, Integer> counts, Map<String, Integer> onlyKernelReasons, Map<String, Integer> onlyOursReasons,
                    List<Path> reproducers, long millis) {
        public int count(Agreement agreement) {
            return counts.getOrDefault(agreement, 0);
        }

        /** The four counts, in one line. */
        public String countsLine() {
            StringBuilder sb = new StringBuilder();
            for (Agreement agreement : Agreement.values()) {
                sb.append(sb.isEmpty() ? "" : ", ").append(agreement.words()).append(' ').append(count(agreement));
            }
            return sb.toString();
        }
    }

    private VerifierCampaign() {
    }

    /**
     * Runs {@code count} programs (seeds {@code seed}, {@code seed+1}, ...), or as many as {@code seconds} allow when
     * positive; reproducers of "only the kernel rejects" go to {@code out} (may be null). The kernel must be there
     * ({@link DifferentialRunner#kernelUnavailable}).
     */
    public static Summary run(int count, long seconds, long seed, Path out, PrintStream log) throws IOException {
        long start = System.nanoTime();
        long deadline = seconds > 0 ? start + seconds * 1_000_000_000L : Long.MAX_VALUE;
        Map<Agreement, Integer> counts = new EnumMap<>(Agreement.class);
        Map<String, Integer> onlyKernel = new TreeMap<>();
        Map<String, Integer> onlyOurs = new TreeMap<>();
        List<Path> reproducers = new ArrayList<>();
        int programs = 0;
        try (VerifierVerdicts verdicts = new VerifierVerdicts()) {
        for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
            programs++;
            long programSeed = seed + i;
            VerifierGenerator.Generated generated = VerifierGenerator.generate(programSeed);
            String name = "verifier-" + programSeed + ".s";
            Verdict ours = verdicts.ours(generated.text(), name);
            Verdict kernel = verdicts.kernel(generated.text(), name);
            Agreement agreement = agreement(ours, kernel);
            counts.merge(agreement, 1, Integer::sum);
            if (agreement == Agreement.ONLY_WE_REJECT) {
                onlyOurs.merge(reasonKind(ours.reason()), 1, Integer::sum);
            }
            if (agreement == Agreement.ONLY_THE_KERNEL_REJECTS) {
                String reason = reasonKind(kernel.reason());
                int seen = onlyKernel.merge(reason, 1, Integer::sum);
                if (out != null) {
                    String text = seen <= REDUCED_PER_REASON ? reduce(verdicts, generated.text(), name, reason) : generated.text();
                    Verdict kernelNow = text.equals(generated.text()) ? kernel : verdicts.kernel(text, name);
                    Path file = Reproducer.write(out, "only-kernel-rejects-" + programSeed + ".s",
                                    reproducer(text, generated.tag(), programSeed, seed, kernelNow, seen <= REDUCED_PER_REASON));
                    reproducers.add(file);
                }
            }
            if (log != null && agreement == Agreement.ONLY_WE_REJECT) {
                log.println("seed " + programSeed + ": only we reject (" + generated.tag() + "): " + ours.reason());
            }
        }
        }
        return new Summary(programs, counts, onlyKernel, onlyOurs, reproducers, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * The kind of a rejection, to count alike ones together: its reason without the place (after {@code kernel
     * verifier: }, or after the instruction our messages quote), numbers masked (registers keep theirs), since
     * offsets, sizes and instruction indexes vary from program to program.
     */
    public static String reasonKind(String message) {
        if (message == null) {
            return "";
        }
        return reasonText(message).replaceAll("(?<![A-Za-z_0-9])-?(0x[0-9a-f]+|\\d+)", "N");
    }

    /** A rejection's reason without its place: after {@code kernel verifier: }, or after the instruction ours quotes. */
    public static String reasonText(String message) {
        int kernel = message.indexOf("kernel verifier: ");
        int quoted = message.lastIndexOf("': ");
        return kernel >= 0 ? message.substring(kernel + "kernel verifier: ".length()) : quoted >= 0 ? message.substring(quoted + 3) : message;
    }

    public static Agreement agreement(Verdict ours, Verdict kernel) {
        if (ours.accepted()) {
            return kernel.accepted() ? Agreement.BOTH_ACCEPT : Agreement.ONLY_THE_KERNEL_REJECTS;
        }
        return kernel.accepted() ? Agreement.ONLY_WE_REJECT : Agreement.BOTH_REJECT;
    }



    /** The fewest instructions with which ours still accepts and the kernel still rejects for {@code reason}. */
    private static String reduce(VerifierVerdicts verdicts, String text, String name, String reason) {
        DiffCase original = DiffCase.assembly(name, text, "main", null);
        DiffCase reduced = Reducer.shrink(original, c -> {
            if (!verdicts.ours(c.text(), name).accepted()) {
                return false;
            }
            Verdict kernel = verdicts.kernel(c.text(), name);
            return !kernel.accepted() && reasonKind(kernel.reason()).equals(reason);
        });
        return reduced.text();
    }

    /** The reproducer's text: where it came from, both verdicts, the end of the kernel's log, how to replay it. */
    private static String reproducer(String text, String tag, long programSeed, long campaignSeed, Verdict kernel, boolean reduced) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Only the kernel's verifier rejects this program: a safety question for ours. bpf fuzz --verifier, seed ").append(programSeed)
                        .append(" (campaign seed ").append(campaignSeed).append(")").append(reduced ? ", reduced" : "").append('\n');
        sb.append("# probe: ").append(tag).append('\n');
        sb.append("# ours: accepted\n");
        sb.append("# kernel: rejected: ").append(reasonText(kernel.reason())).append('\n');
        String[] lines = kernel.log().strip().split("\n");
        sb.append("# kernel log, last lines:\n");
        for (int i = Math.max(0, lines.length - LOG_LINES); i < lines.length; i++) {
            // Kernel addresses (of this load's maps) vary from load to load.
            sb.append("#   ").append(lines[i].replaceAll("0xffff[0-9a-f]{12}", "0xADDR")).append('\n');
        }
        sb.append("# replay: bpf verify --kernel FILE\n");
        sb.append(text);
        return sb.toString();
    }

}
