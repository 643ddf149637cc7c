package org.trufflebpf.launcher;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongConsumer;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code bpf bench FILE [--program NAME] [--data FILE | --packet HEX] [--ctx FILE] [--context TYPE] [--engine E]
 * [--warmup S] [--seconds S] [--limit N]}: runs one program over one input again and again on each engine chosen
 * ({@code both} by default), first for a warm-up (so Graal compiles the interpreter's code), then for the measured
 * time, and prints runs, nanoseconds per run, instructions per run and millions of BPF instructions per second
 * ({@code n/a} on the kernel, which counts no instructions). {@code bpf bench --suite FOLDER [--peers] [--rounds N]
 * [--svg FILE]} runs a whole suite instead, beside the peers present on the machine ({@link SuiteBench}). {@code --json}
 * prints the figures as one JSON document.
 */
final class BenchCommand implements BpfCommand.Subcommand {
    /** The instruction columns of an engine that does not count instructions. */
    static final String UNKNOWN = "n/a";

    @Override
    public CommandSpec spec() {
        CommandSpec spec = Arguments.command("bench", "Runs a program again and again on each engine and prints runs, ns/run and instructions/s; --suite runs a benchmark suite.");
        Arguments.positional(spec, "FILE", "the program file (not with --suite)");
        Arguments.option(spec, "--program", "NAME", "the program to run (by name, or by section when that is unique)");
        Arguments.option(spec, "--data", "FILE", "the input memory or packet, from a file");
        Arguments.option(spec, "--packet", "HEX", "the input packet as hex bytes");
        Arguments.option(spec, "--ctx", "FILE", "the context input");
        Arguments.option(spec, "--context", "raw|socket|tc|xdp", "the program's context type");
        Arguments.option(spec, "--engine", "interpreter|native|kernel|both", "the engines to measure (default both)");
        Arguments.option(spec, "--warmup", "S", "seconds of warm-up before measuring (default 5; 1 with --suite)");
        Arguments.option(spec, "--seconds", "S", "seconds measured (default 5; 0.5 per round with --suite)");
        Arguments.option(spec, "--limit", "N", "stop each run after N instructions");
        Arguments.option(spec, "--suite", "FOLDER", "run every program of a benchmark suite (examples/benchmarks)");
        Arguments.flag(spec, "--peers", "with --suite, also on the peers present (gcc -O2, uBPF, the kernel)");
        Arguments.option(spec, "--rounds", "N", "with --suite, measurement rounds (default 5)");
        Arguments.option(spec, "--svg", "FILE", "with --suite, write the bar chart of the ratios to gcc -O2");
        Arguments.flag(spec, "--json", "print one JSON document (see the README for its fields)");
        Arguments.flag(spec, "--quiet", "no progress bar (there is none when stderr is not a terminal)");
        return spec;
    }

    @Override
    public int run(Arguments arguments, PrintStream out, PrintStream err) throws Exception {
        String limit = RunCommand.positiveNumber(arguments.option("--limit"), "--limit");
        if (arguments.option("--suite") != null) {
            return runSuite(arguments, limit, out, err);
        }
        if (arguments.flag("--peers")) {
            throw new UsageException("--peers needs --suite FOLDER (the peers run the suite's host.c and objects)");
        }
        Path file = Path.of(arguments.file());
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        double warmup = seconds(arguments.option("--warmup"), 5);
        double measure = seconds(arguments.option("--seconds"), 5);
        String engine = arguments.option("--engine") == null ? "both" : arguments.option("--engine");
        List<String> engines = switch (engine) {
            case "both" -> List.of("interpreter", "native");
            case "interpreter", "native", "kernel" -> List.of(engine);
            default -> throw new UsageException("unknown engine '" + engine + "' (interpreter, native, kernel or both)");
        };
        Source source = RunCommand.source(file);
        byte[] given = null;
        if (arguments.option("--data") != null) {
            given = InputFiles.read(Path.of(arguments.option("--data")), InputFiles.MAX_DATA_BYTES, "data");
        } else if (arguments.option("--packet") != null) {
            given = RunCommand.parseHex(arguments.option("--packet"));
        }
        String contextIn = arguments.option("--ctx") == null ? null : ContextFile.optionValue(Path.of(arguments.option("--ctx")));
        boolean json = arguments.flag("--json");
        List<Object> results = new ArrayList<>();
        if (!json) {
            out.printf("%-12s %12s %12s %10s %12s%n", "engine", "runs", "ns/run", "insns/run", "M insns/s");
        }
        // The whole bench's time is known beforehand: warm-up and measurement on each engine.
        Progress progress = Progress.onTerminal(err, arguments.flag("--quiet"), "bpf bench");
        long totalMillis = (long) ((warmup + measure) * 1000) * engines.size();
        long[] doneMillis = {0};
        for (String name : engines) {
            // Trace output would break the JSON document: it goes to stderr then.
            Context.Builder builder = arguments.contextBuilder().out(json ? err : out).err(err).option("bpf.Engine", name)
                            .allowHostAccess(HostAccess.newBuilder().allowArrayAccess(true).allowBufferAccess(true).build());
            if (arguments.option("--context") != null) {
                builder.option("bpf.Context", arguments.option("--context"));
            }
            if (contextIn != null) {
                builder.option("bpf.ContextIn", contextIn);
            }
            if (limit != null) {
                builder.option("bpf.InstructionLimit", limit);
            }
            try (Context context = BpfCommand.buildContext(builder)) {
                Value module = context.eval(source);
                Value program = RunCommand.program(module, arguments.option("--program"), file);
                byte[] data = given != null ? given : RunCommand.inputMemory(module);
                Object[] argument = data == null ? new Object[0] : new Object[] {data};
                if (name.equals("kernel")) {
                    progress.update(doneMillis[0], totalMillis, seconds(doneMillis[0], totalMillis), "kernel");
                    long[] kernel = benchKernel(program, data == null ? new byte[0] : data, warmup, measure);
                    doneMillis[0] += (long) ((warmup + measure) * 1000);
                    // A row goes to a clean line, not after the progress line.
                    progress.close();
                    if (json) {
                        results.add(result("kernel", kernel[0], kernel[1], -1));
                    } else {
                        out.printf("%-12s %12d %12d %10s %12s%n", "kernel", kernel[0], kernel[1], UNKNOWN, UNKNOWN);
                    }
                    continue;
                }
                long instructions = program.invokeMember("executeCounted", argument).getArrayElement(1).asLong();
                long before = doneMillis[0];
                Runnable tick = () -> progress.update(doneMillis[0], totalMillis, seconds(doneMillis[0], totalMillis), name);
                loop(program, argument, warmup, elapsed -> {
                    doneMillis[0] = before + elapsed;
                    tick.run();
                });
                long[] measured = loop(program, argument, measure, elapsed -> {
                    doneMillis[0] = before + (long) (warmup * 1000) + elapsed;
                    tick.run();
                });
                doneMillis[0] = before + (long) ((warmup + measure) * 1000);
                double nsPerRun = (double) measured[1] / measured[0];
                progress.close();
                if (json) {
                    results.add(result(name, measured[0], nsPerRun, instructions));
                    continue;
                }
                // An engine that cannot count answers -1: unknown, printed as such rather than as 0.
                out.printf("%-12s %12d %12.1f %10s %12s%n", name, measured[0], nsPerRun, instructions < 0 ? UNKNOWN : Long.toString(instructions),
                                instructions < 0 ? UNKNOWN : String.format("%.1f", instructions * 1e3 / nsPerRun));
            }
        }
        progress.close();
        if (json) {
            out.println(JsonWriter.write(JsonWriter.object("file", file.toString(), "results", results)));
        }
        return 0;
    }

    /** Progress in seconds, "1.5/10.0 s". */
    private static String seconds(long doneMillis, long totalMillis) {
        return String.format(Locale.ROOT, "%.1f/%.1f s", doneMillis / 1000.0, totalMillis / 1000.0);
    }

    /** One engine's figures for --json; an engine that counts no instructions has null for them. */
    private static Object result(String engine, long runs, double nsPerRun, long instructions) {
        return JsonWriter.object("engine", engine, "runs", runs, "ns_per_run", nsPerRun, "insns_per_run", instructions < 0 ? null : instructions, "m_insns_per_second",
                        instructions < 0 ? null : instructions * 1e3 / nsPerRun);
    }

    /** One round-based run of a suite, defaults: 1 s warm-up, 5 rounds of 0.5 s. */
    private static int runSuite(Arguments arguments, String limit, PrintStream out, PrintStream err) throws Exception {
        BenchSuite suite = BenchSuite.read(Path.of(arguments.option("--suite")));
        String roundsText = RunCommand.positiveNumber(arguments.option("--rounds"), "--rounds");
        int rounds = roundsText == null ? 5 : (int) Math.min(1000, Long.parseLong(roundsText));
        SuiteBench bench = new SuiteBench(suite, seconds(arguments.option("--warmup"), 1), seconds(arguments.option("--seconds"), 0.5), rounds, limit, arguments.flag("--json"),
                        arguments::contextBuilder, Progress.onTerminal(err, arguments.flag("--quiet"), "bpf bench --suite"), out, err);
        bench.run(arguments.flag("--peers"), System.getenv(UbpfPeer.VARIABLE), arguments.option("--svg") == null ? null : Path.of(arguments.option("--svg")));
        return 0;
    }

    /**
     * The kernel times its own runs: BPF_PROG_TEST_RUN with {@code repeat} gives the average ns per run, without
     * the syscall and the map copies around it. A first call sizes {@code repeat} to about the measured time. Returns {runs, ns per run}.
     */
    private static long[] benchKernel(Value program, byte[] data, double warmup, double measure) {
        long probe = Math.max(1, program.invokeMember("kernelBenchmark", data, 10_000).asLong());
        int warmupRuns = (int) Math.min(100_000_000L, Math.max(1, (long) (warmup * 1e9 / probe)));
        if (warmup > 0) {
            program.invokeMember("kernelBenchmark", data, warmupRuns);
        }
        int runs = (int) Math.min(100_000_000L, Math.max(1, (long) (measure * 1e9 / probe)));
        long nsPerRun = program.invokeMember("kernelBenchmark", data, runs).asLong();
        // The kernel counts no instructions for us (executeCounted answers -1 there): unknown.
        return new long[] {runs, nsPerRun};
    }

    /** Runs for about {@code seconds}; returns {runs, elapsed nanoseconds}. */
    private static long[] loop(Value program, Object[] argument, double seconds, LongConsumer elapsedMillis) {
        long budget = (long) (seconds * 1e9);
        long start = System.nanoTime();
        long runs = 0;
        long elapsed;
        long batch = 64;
        do {
            // Batches keep the clock out of the measurement of short programs, and executeRepeated the polyglot
            // boundary and the set-up (one host call and one set-up for the batch, as BPF_PROG_TEST_RUN's repeat).
            // A batch grows until it takes a millisecond, so that short runs are not measured as the call's cost.
            long before = System.nanoTime();
            program.invokeMember("executeRepeated", argument.length == 0 ? null : argument[0], batch);
            runs += batch;
            long now = System.nanoTime();
            elapsed = now - start;
            if (now - before < 1_000_000 && batch < (1 << 20)) {
                batch *= 2;
            }
            elapsedMillis.accept(elapsed / 1_000_000);
        } while (elapsed < budget);
        return new long[] {runs, elapsed};
    }

    private static double seconds(String text, double fallback) throws UsageException {
        if (text == null) {
            return fallback;
        }
        try {
            double value = Double.parseDouble(text);
            if (value >= 0 && value <= 3600) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("expected seconds between 0 and 3600, not '" + text + "'");
    }
}
