package org.trufflebpf.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.trufflebpf.fuzz.FuzzCampaign;

/**
 * {@code bpf fuzz [--count N] [--seconds N] [--seed S] [--body N] [--out DIR] [--launder]}: a differential campaign
 * of generated programs on both engines (with {@code --launder}, unverified programs that launder pointers and
 * reach just outside what the run owns); reduced reproducers go to DIR; ends with {@code N programs, D
 * divergences}. {@code --seconds} runs for that long (then {@code --count}, if given, bounds the programs). Exit
 * code 1 when the engines diverged or a run left a host value behind.
 */
final class FuzzCommand implements BpfCommand.Subcommand {
    @Override
    public String usage() {
        return "[--count N] [--seconds N] [--seed S] [--body INSTRUCTIONS] [--out DIR] [--launder]";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Arguments arguments = Arguments.parse(args, List.of("--count", "--seconds", "--seed", "--body", "--out"), List.of("--launder"));
        long seconds = number(arguments.option("--seconds"), 0L, "--seconds");
        int count = number(arguments.option("--count"), seconds > 0 ? Integer.MAX_VALUE : 1000, "--count");
        long seed = number(arguments.option("--seed"), 1L, "--seed");
        int body = number(arguments.option("--body"), 40, "--body");
        if (count < 1 || body < 1 || seconds < 0) {
            throw new UsageException("--count and --body must be positive, --seconds not negative");
        }
        String dir = arguments.option("--out");
        FuzzCampaign.Summary summary = FuzzCampaign.run(count, seconds, seed, body, arguments.flag("--launder"), dir == null ? null : Path.of(dir), out);
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
