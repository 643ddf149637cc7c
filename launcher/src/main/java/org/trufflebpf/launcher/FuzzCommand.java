package org.trufflebpf.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.trufflebpf.fuzz.FuzzCampaign;

/**
 * {@code bpf fuzz [--count N] [--seed S] [--body N] [--out DIR]}: a differential campaign of generated programs
 * on both engines; reduced reproducers go to DIR; ends with {@code N programs, D divergences}. Exit code 1 when
 * the engines diverged.
 */
final class FuzzCommand implements BpfCommand.Subcommand {
    @Override
    public String usage() {
        return "[--count N] [--seed S] [--body INSTRUCTIONS] [--out DIR]";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Arguments arguments = Arguments.parse(args, List.of("--count", "--seed", "--body", "--out"), List.of());
        int count = number(arguments.option("--count"), 1000, "--count");
        long seed = number(arguments.option("--seed"), 1L, "--seed");
        int body = number(arguments.option("--body"), 40, "--body");
        if (count < 1 || body < 1) {
            throw new UsageException("--count and --body must be positive");
        }
        String dir = arguments.option("--out");
        FuzzCampaign.Summary summary = FuzzCampaign.run(count, seed, body, dir == null ? null : Path.of(dir), out);
        out.println(summary.line());
        out.println(String.format(Locale.ROOT, "%d rejected by the verifier, %d runs stopped by an error, %.1f s, %.0f programs/s", summary.rejected(),
                        summary.failedRuns(), summary.millis() / 1000.0, summary.programsPerSecond()));
        for (String rejection : summary.rejections()) {
            out.println("  rejected: " + rejection);
        }
        for (String error : summary.runErrors()) {
            out.println("  stopped: " + error);
        }
        return summary.divergences().isEmpty() ? 0 : BpfCommand.EXIT_REJECTED;
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
