package org.trufflebpf.fuzz;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Set;

/**
 * A worker process of a campaign ({@link WorkerPool}): reads program seeds from stdin, one a line, runs each as the
 * campaign would ({@link CampaignTrials}) and answers each with one {@link ProgramResult} line on stdout. A native
 * crash or a hung run ends only this process; the campaign sees which seed it was running and starts another.
 * <p>
 * Arguments: campaign seed, program length, {@code launder|verified}, context or {@code -}, reproducer folder or
 * {@code -}, {@code soundness|plain}, the engines ({@code interpreter,native,kernel} or a part of at least two).
 */
public final class FuzzWorker {
    /** Starts a request to run a given program text in place of a seed's own. */
    static final String CASE = "case";
    /** What a worker writes to its stderr once it takes programs, followed by its pid. */
    static final String READY = "fuzz worker ready, pid ";

    /**
     * For testing the campaign's crash handling: a worker kills itself with SIGSEGV before it runs a program whose
     * text contains this string, as if the program had crashed it.
     */
    private static final String CRASH_ON = System.getProperty("bpf.fuzz.worker.crashOn");

    private FuzzWorker() {
    }

    private static void crashOnPurpose() throws Exception {
        new ProcessBuilder("kill", "-SEGV", Long.toString(ProcessHandle.current().pid())).inheritIO().start().waitFor();
        Thread.sleep(60_000); // the signal ends the process long before
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("fuzz worker: want SEED BODY launder|verified CONTEXT|- OUT|- soundness|plain ENGINES, got " + args.length + " arguments");
            System.exit(2);
        }
        CampaignTrials.Settings settings = new CampaignTrials.Settings(Long.parseLong(args[0]), Integer.parseInt(args[1]), args[2].equals("launder"),
                        args[3].equals("-") ? null : args[3], args[4].equals("-") ? null : Path.of(args[4]), args[5].equals("soundness"), Set.of(args[6].split(",")));
        // stdout carries the answers alone: anything else printed goes to stderr.
        PrintStream answers = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        System.setOut(System.err);
        BufferedReader seeds = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (CampaignTrials trials = new CampaignTrials(settings)) {
            answers.println("ready");
            // In its stderr file beside the campaign's programs: which process this worker is (its crash report's pid).
            System.err.println(READY + ProcessHandle.current().pid());
            answers.flush();
            for (String line; (line = seeds.readLine()) != null;) {
                // A seed to run, or "case SEED TEXT INPUT" (tab-separated, text escaped): a variant of a crash under reduction.
                String[] fields = line.split("\t", -1);
                long seed = Long.parseLong(fields[fields.length == 4 ? 1 : 0].strip());
                ProgramResult result;
                if (CRASH_ON != null && (fields.length == 4 ? ProgramResult.unescape(fields[2]) : CampaignTrials.generate(settings, seed).text()).contains(CRASH_ON)) {
                    crashOnPurpose();
                }
                try {
                    result = fields.length == 4 && fields[0].equals(CASE)
                                    ? trials.runCase(seed, DiffCase.assembly("fuzz-" + seed + ".s", ProgramResult.unescape(fields[2]), "main", HexFormat.of().parseHex(fields[3])))
                                    : trials.run(seed, null, false);
                } catch (Exception | StackOverflowError e) {
                    result = new ProgramResult(seed, ProgramResult.CRASH, e.toString(), DifferentialRunner.KernelResult.NOT_RUN, null,
                                    "seed " + seed + ": the worker failed: " + e);
                }
                answers.println(result.encode());
                answers.flush();
            }
        }
    }
}
