package org.trufflebpf.fuzz;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A worker process of a campaign ({@link WorkerPool}): reads program seeds from stdin, one a line, runs each as the
 * campaign would ({@link CampaignTrials}) and answers each with one {@link ProgramResult} line on stdout. A native
 * crash or a hung run ends only this process; the campaign sees which seed it was running and starts another.
 * <p>
 * Arguments: campaign seed, program length, {@code launder|verified}, context or {@code -}, reproducer folder or
 * {@code -}, {@code soundness|plain}.
 */
public final class FuzzWorker {
    private FuzzWorker() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("fuzz worker: want SEED BODY launder|verified CONTEXT|- OUT|- soundness|plain, got " + args.length + " arguments");
            System.exit(2);
        }
        CampaignTrials.Settings settings = new CampaignTrials.Settings(Long.parseLong(args[0]), Integer.parseInt(args[1]), args[2].equals("launder"),
                        args[3].equals("-") ? null : args[3], args[4].equals("-") ? null : Path.of(args[4]), args[5].equals("soundness"));
        // stdout carries the answers alone: anything else printed goes to stderr.
        PrintStream answers = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        System.setOut(System.err);
        BufferedReader seeds = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (CampaignTrials trials = new CampaignTrials(settings)) {
            answers.println("ready");
            answers.flush();
            for (String line; (line = seeds.readLine()) != null;) {
                long seed = Long.parseLong(line.strip());
                ProgramResult result;
                try {
                    result = trials.run(seed, null, false);
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
