package org.trufflebpf.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * {@code bpf bench --suite FOLDER [--peers]}: every program of a {@link BenchSuite} on our interpreter and native
 * engines and, with {@code --peers}, on the peers present on the machine (gcc -O2, uBPF's JIT and interpreter, the
 * host kernel), one line per program and engine: median and spread of ns/run over the rounds (the engines' rounds
 * taking turns), load (and JIT) time, and ratios to gcc -O2 and to the kernel. Absent peers and programs a peer
 * cannot run are listed with the reason.
 */
final class SuiteBench {
    static final List<String> OUR_ENGINES = List.of("interpreter", "native");
    static final String GCC = "gcc-O2";
    static final String UBPF_JIT = "ubpf-jit";
    static final String UBPF_INTERPRETER = "ubpf-interp";
    static final String KERNEL = "kernel";

    /** One measured program on one engine or peer; {@code loadNanos} is -1 when not measured. */
    record Row(String program, String engine, Measurement time, long loadNanos, long result) {
    }

    private final BenchSuite suite;
    private final double warmup;
    private final double seconds;
    private final int rounds;
    private final String limit;
    private final PrintStream out;
    private final PrintStream err;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    /** Compiles timed per program on the native engine (odd, for a median). */
    static final int JIT_COMPILES = 21;
    /**
     * Untimed compiles before the warm ones: enough for the JVM to compile the JIT's own Java code (a few hundred
     * calls of its hot methods), which {@link #JIT_COMPILES} compiles right after the load are not.
     */
    static final int JIT_WARMUP_COMPILES = 500;
    /**
     * The heap a loaded program holds is the median over {@link #MEMORY_BATCHES} batches of loads kept at once (other
     * threads change the heap by up to about 100 KiB between two counts): each {@link #MEMORY_BATCH_LOADS} loads, or as
     * many as {@link #MEMORY_BATCH_NANOS} allows but at least {@link #MEMORY_BATCH_LOADS_AT_LEAST} (a load verifies
     * the program anew, which takes up to seconds for the suite's longest searches).
     */
    static final int MEMORY_BATCHES = 3;
    static final int MEMORY_BATCH_LOADS = 32;
    static final int MEMORY_BATCH_LOADS_AT_LEAST = 2;
    static final long MEMORY_BATCH_NANOS = 250_000_000L;
    /** Per program, the JIT's warm nanoseconds per compile by engine (native's median, uBPF's median). */
    private final Map<String, Map<String, Long>> jitNanos = new LinkedHashMap<>();
    /** Per program, the native JIT's median nanoseconds over the first compiles after the load (not yet warm). */
    private final Map<String, Long> firstJitNanos = new LinkedHashMap<>();
    /** Per program and engine of ours: {heap bytes a loaded program holds, bytes of executable code (0: none)}. */
    private final Map<String, Map<String, long[]>> memoryPerLoad = new LinkedHashMap<>();
    /** Per "program/engine" of ours, Java heap bytes allocated per run ({@link #bytesPerRun}). */
    private final Map<String, Double> allocation = new LinkedHashMap<>();
    /** Per program, its BPF instructions (as the native engine counts them). */
    private final Map<String, Long> instructions = new LinkedHashMap<>();
    private final boolean json;
    /** New context builders, with the command's polyglot options. */
    private final Supplier<Context.Builder> contexts;
    /** Advanced program by program. */
    private final Progress progress;

    /** With {@code json}, the table is one JSON document instead ({@code rows} and {@code notes}). */
    SuiteBench(BenchSuite suite, double warmup, double seconds, int rounds, String limit, boolean json, Supplier<Context.Builder> contexts, Progress progress,
                    PrintStream out, PrintStream err) {
        this.json = json;
        this.progress = progress;
        this.contexts = contexts;
        this.suite = suite;
        this.warmup = warmup;
        this.seconds = seconds;
        this.rounds = rounds;
        this.limit = limit;
        this.out = out;
        this.err = err;
    }

    List<Row> run(boolean peers, String ubpfLibrary, Path svg) throws Exception {
        List<String> engines = new ArrayList<>(OUR_ENGINES);
        GccPeer gcc = null;
        UbpfPeer ubpf = null;
        if (peers) {
            try {
                gcc = GccPeer.build(suite.folder());
                notes.add("peer " + GCC + ": " + gcc.version());
                engines.add(GCC);
            } catch (PeerAbsentException e) {
                notes.add("absent: " + GCC + ": " + e.getMessage());
            }
            try {
                ubpf = UbpfPeer.open(ubpfLibrary);
                notes.add("peer uBPF: " + ubpf.path());
                engines.add(UBPF_JIT);
                engines.add(UBPF_INTERPRETER);
            } catch (PeerAbsentException e) {
                notes.add("absent: " + UBPF_JIT + " and " + UBPF_INTERPRETER + ": " + e.getMessage());
            }
            engines.add(KERNEL);
        }
        try {
            // Before any program runs, so that no Truffle compilation (heap it holds while it works) is under way;
            // the first program once more before that, as the first loads in the JVM also fill its lasting caches.
            if (!suite.entries().isEmpty()) {
                measureHeapPerLoad(suite.entries().get(0), OUR_ENGINES.get(0));
            }
            int measured = 0;
            for (BenchSuite.Entry entry : suite.entries()) {
                progress.update(measured++, suite.entries().size(), "memory of " + entry.name());
                for (String engine : OUR_ENGINES) {
                    measureHeapPerLoad(entry, engine);
                }
            }
            int done = 0;
            for (BenchSuite.Entry entry : suite.entries()) {
                progress.update(done++, suite.entries().size(), entry.name());
                runProgram(entry, gcc, ubpf, peers);
            }
        } finally {
            progress.close();
            if (gcc != null) {
                gcc.close();
            }
            if (ubpf != null) {
                ubpf.close();
            }
        }
        if (json) {
            printJson(svg);
        } else {
            printTable();
        }
        if (svg != null) {
            Files.writeString(svg, RatioChart.svg(rows, GCC, engines.stream().filter(e -> !e.equals(GCC) && !e.equals(KERNEL)).toList()));
            if (!json) {
                out.println("plot of the ratios to " + GCC + ": " + svg);
            }
        }
        return rows;
    }

    private Context.Builder builder(BenchSuite.Entry entry, String engine) {
        Context.Builder builder = contexts.get().out(json ? err : out).err(err).option("bpf.Engine", engine).option("bpf.Context", entry.context())
                        .allowHostAccess(HostAccess.newBuilder().allowArrayAccess(true).allowBufferAccess(true).build());
        if (limit != null) {
            builder.option("bpf.InstructionLimit", limit);
        }
        return builder;
    }

    /**
     * One engine or peer on one program, warmed up and ready: {@code round} measures one round (ns per run),
     * {@code finish} records the rows from all rounds, {@code close} releases what it holds.
     */
    private record Contender(String engine, Round round, LongSupplier runs, Consumer<Measurement> finish, AutoCloseable close) {
    }

    private interface Round {
        double measure() throws Exception;
    }

    /**
     * Every engine and peer on one program: each loaded and warmed up in turn, then the rounds in turns (round 1 of
     * each, round 2 of each, ...), so that the ratios of one run compare times taken in the same spells of a shared
     * machine's speed; then each one's rows and extras.
     */
    private void runProgram(BenchSuite.Entry entry, GccPeer gcc, UbpfPeer ubpf, boolean peers) throws Exception {
        List<Contender> contenders = new ArrayList<>();
        try {
            for (String engine : OUR_ENGINES) {
                prepareOurs(entry, engine, contenders);
            }
            if (gcc != null) {
                prepareGcc(gcc, entry, contenders);
            }
            if (ubpf != null) {
                prepareUbpf(ubpf, entry, contenders);
            }
            if (peers) {
                prepareKernel(entry, contenders);
            }
            double[][] perRun = new double[contenders.size()][rounds];
            boolean[] failed = new boolean[contenders.size()];
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < contenders.size(); i++) {
                    if (failed[i]) {
                        continue;
                    }
                    try {
                        perRun[i][round] = contenders.get(i).round().measure();
                    } catch (PolyglotException e) {
                        notes.add("failed: " + entry.name() + " on " + contenders.get(i).engine() + ": " + e.getMessage());
                        failed[i] = true;
                    }
                }
            }
            for (int i = 0; i < contenders.size(); i++) {
                if (!failed[i]) {
                    Contender contender = contenders.get(i);
                    try {
                        contender.finish().accept(Measurement.of(perRun[i], contender.runs().getAsLong()));
                    } catch (PolyglotException e) {
                        notes.add("failed: " + entry.name() + " on " + contender.engine() + ": " + e.getMessage());
                    }
                }
            }
        } finally {
            closeAll(contenders);
        }
    }

    /** Closes every contender's context, even when one fails to close; then throws the first failure. */
    private static void closeAll(List<Contender> contenders) throws Exception {
        Exception failure = null;
        for (Contender contender : contenders) {
            try {
                contender.close().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void prepareOurs(BenchSuite.Entry entry, String engine, List<Contender> contenders) throws Exception {
        Context context = BpfCommand.buildContext(builder(entry, engine));
        try {
            long start = System.nanoTime();
            Value module = context.eval(RunCommand.source(entry.object()));
            long load = System.nanoTime() - start;
            Value program = RunCommand.program(module, entry.name(), entry.object());
            Object[] argument = entry.input() == null ? new Object[0] : new Object[] {entry.input()};
            long result = program.execute(argument).asLong();
            // executeRepeated: all the runs of a batch in one host call, as the kernel's BPF_PROG_TEST_RUN repeat
            // does, so that the time per run is the run's and not the polyglot boundary's.
            Object input = entry.input();
            Measurement.Rounds measured = new Measurement.Rounds(times -> {
                if (times > 0) {
                    program.invokeMember("executeRepeated", input, times);
                }
            });
            measured.warmUp(warmup);
            contenders.add(new Contender(engine, () -> measured.round(seconds), measured::runs, time -> {
                rows.add(new Row(entry.name(), engine, time, load, result));
                allocation.put(entry.name() + "/" + engine, bytesPerRun(program, input));
                long codeBytes = 0;
                if (program.canInvokeMember("jitBenchmark")) {
                    // The native JIT's time right after the load (its Java code still cold), then once the JVM has
                    // compiled it: the median of compiles in this JVM after JIT_WARMUP_COMPILES untimed ones.
                    Value first = program.invokeMember("jitBenchmark", JIT_COMPILES);
                    firstJitNanos.put(entry.name(), first.getArrayElement(0).asLong());
                    Value jit = program.invokeMember("jitBenchmark", JIT_COMPILES, JIT_WARMUP_COMPILES);
                    instructions.put(entry.name(), jit.getArrayElement(1).asLong());
                    codeBytes = jit.getArrayElement(2).asLong();
                    jitNanos.computeIfAbsent(entry.name(), p -> new LinkedHashMap<>()).put(engine, jit.getArrayElement(0).asLong());
                }
                memoryOf(entry, engine)[1] = codeBytes;
            }, context::close));
        } catch (PolyglotException e) {
            notes.add("failed: " + entry.name() + " on " + engine + ": " + e.getMessage());
            context.close();
        } catch (Exception | Error e) {
            context.close();
            throw e;
        }
    }

    private void prepareGcc(GccPeer gcc, BenchSuite.Entry entry, List<Contender> contenders) throws Exception {
        try {
            PeerProgram program = gcc.entry(entry.name(), entry.input());
            long result = runOnce(program);
            Measurement.Rounds measured = new Measurement.Rounds(program.batch());
            measured.warmUp(warmup);
            contenders.add(new Contender(GCC, () -> measured.round(seconds), measured::runs, time -> rows.add(new Row(entry.name(), GCC, time, -1, result)), () -> {
            }));
        } catch (PeerAbsentException e) {
            notes.add("skipped: " + entry.name() + " on " + GCC + ": " + e.getMessage());
        }
    }

    private void prepareUbpf(UbpfPeer ubpf, BenchSuite.Entry entry, List<Contender> contenders) throws Exception {
        UbpfPeer.Loaded loaded;
        try {
            loaded = ubpf.load(entry.object(), entry.name(), entry.input());
        } catch (PeerAbsentException e) {
            notes.add("skipped: " + entry.name() + " on uBPF: " + e.getMessage());
            return;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        long interpreted;
        try {
            interpreted = runOnce(loaded.interpreter());
        } catch (IllegalStateException e) {
            // uBPF's JIT code has no bounds checks: a program its interpreter stops could crash this process there.
            notes.add("skipped: " + entry.name() + " on uBPF: " + e.getMessage() + " (not run on its JIT either)");
            return;
        }
        long jitted = runOnce(loaded.jit());
        Measurement.Rounds jit = new Measurement.Rounds(loaded.jit().batch());
        jit.warmUp(warmup);
        contenders.add(new Contender(UBPF_JIT, () -> jit.round(seconds), jit::runs, time -> {
            rows.add(new Row(entry.name(), UBPF_JIT, time, loaded.compileNanos(), jitted));
            jitNanos.computeIfAbsent(entry.name(), p -> new LinkedHashMap<>()).put(UBPF_JIT, medianCompileNanos(ubpf, entry, loaded.compileNanos()));
        }, () -> {
        }));
        Measurement.Rounds interpreter = new Measurement.Rounds(loaded.interpreter().batch());
        interpreter.warmUp(warmup);
        contenders.add(new Contender(UBPF_INTERPRETER, () -> interpreter.round(seconds), interpreter::runs,
                        time -> rows.add(new Row(entry.name(), UBPF_INTERPRETER, time, -1, interpreted)), () -> {
                        }));
    }

    /**
     * The Java heap one loaded program holds on {@code engine}: in a new context, one load first (the language's and
     * the context's own set-up), then batches of more, each parsed anew (an uncached source) and all kept, heap in use
     * after full collections before and after each batch; -1 where the collector gives no figure.
     * Executable code and Graal's compiled code live outside the heap and are not in it.
     */
    private void measureHeapPerLoad(BenchSuite.Entry entry, String engine) throws IOException, UsageException {
        long heap;
        try (Context context = BpfCommand.buildContext(builder(entry, engine))) {
            Source source = Source.newBuilder("bpf", entry.object().toFile()).cached(false).build();
            RunCommand.program(context.eval(source), entry.name(), entry.object());
            heap = heapPerLoad(context, source, entry);
        } catch (PolyglotException e) {
            return; // the timed run reports the failure
        }
        memoryOf(entry, engine)[0] = heap;
    }

    /** The {heap, code bytes} figures of a program on one engine, filled in by the heap measurement and the run. */
    private long[] memoryOf(BenchSuite.Entry entry, String engine) {
        return memoryPerLoad.computeIfAbsent(entry.name(), p -> new LinkedHashMap<>()).computeIfAbsent(engine, e -> new long[] {-1, 0});
    }

    private static long heapPerLoad(Context context, Source source, BenchSuite.Entry entry) throws UsageException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        List<Value> kept = new ArrayList<>();
        long[] perLoad = new long[MEMORY_BATCHES];
        long before = heapUsedAfterGc(memory);
        for (int batch = 0; batch < MEMORY_BATCHES; batch++) {
            int loads = 0;
            long deadline = System.nanoTime() + MEMORY_BATCH_NANOS;
            do {
                kept.add(RunCommand.program(context.eval(source), entry.name(), entry.object()));
                loads++;
            } while (loads < MEMORY_BATCH_LOADS && (loads < MEMORY_BATCH_LOADS_AT_LEAST || System.nanoTime() < deadline));
            long after = heapUsedAfterGc(memory);
            if (before < 0 || after < 0) {
                return -1;
            }
            perLoad[batch] = Math.max(0, after - before) / loads;
            before = after;
        }
        Reference.reachabilityFence(kept);
        Arrays.sort(perLoad);
        return perLoad[MEMORY_BATCHES / 2];
    }

    /**
     * Heap in use once collections free nothing more: what a closed context held is released by cleaners that
     * run after a collection, so one collection is not enough (the count then fell by up to a megabyte while
     * programs were being loaded).
     */
    private static long heapUsedAfterGc(MemoryMXBean memory) {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
            long now = memory.getHeapMemoryUsage().getUsed();
            if (now <= 0) {
                return -1;
            }
            if (used - now < 16 * 1024) {
                return Math.min(used, now);
            }
            used = now;
        }
        return used;
    }

    /** Runs whose Java heap allocation is measured (after the timed rounds: warm), beyond a first batch of {@link #BASE_RUNS}. */
    static final int ALLOCATION_RUNS = 10_000;
    static final int BASE_RUNS = 1_000;

    /** Measurements of {@link #bytesPerRun} at most, while they find bytes. */
    static final int ALLOCATION_TRIES = 3;

    /**
     * Java heap bytes allocated per run on this thread through {@code executeRepeated} (the runs happen on the
     * calling thread): a batch of {@link #BASE_RUNS} runs and one of {@link #ALLOCATION_RUNS} more, so that what
     * each call allocates once (its arguments, its result, its set-up) cancels out; -1 where the JVM cannot tell.
     * The least of up to {@link #ALLOCATION_TRIES} measurements: something the JVM does once (a deoptimization, a
     * class loaded) falls in one of them, while what a run allocates shows in each.
     */
    private static double bytesPerRun(Value program, Object input) {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads) || !threads.isThreadAllocatedMemorySupported()) {
            return -1;
        }
        double least = measureBytesPerRun(threads, program, input);
        for (int i = 1; i < ALLOCATION_TRIES && least > 0; i++) {
            least = Math.min(least, measureBytesPerRun(threads, program, input));
        }
        return least;
    }

    private static double measureBytesPerRun(com.sun.management.ThreadMXBean threads, Value program, Object input) {
        long before = threads.getCurrentThreadAllocatedBytes();
        program.invokeMember("executeRepeated", input, BASE_RUNS);
        long middle = threads.getCurrentThreadAllocatedBytes();
        program.invokeMember("executeRepeated", input, BASE_RUNS + ALLOCATION_RUNS);
        long after = threads.getCurrentThreadAllocatedBytes();
        return Math.max(0, (after - middle) - (middle - before)) / (double) ALLOCATION_RUNS;
    }

    /** The median of uBPF's compile time over {@link #JIT_COMPILES} loads of the program, {@code first} among them (each load is a new VM). */
    private static long medianCompileNanos(UbpfPeer ubpf, BenchSuite.Entry entry, long first) {
        long[] nanos = new long[JIT_COMPILES];
        nanos[0] = first;
        for (int i = 1; i < nanos.length; i++) {
            try {
                nanos[i] = ubpf.load(entry.object(), entry.name(), entry.input()).compileNanos();
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
        Arrays.sort(nanos);
        return nanos[nanos.length / 2];
    }

    /**
     * The kernel times its own runs (BPF_PROG_TEST_RUN with repeat: the average ns per run, without the syscall
     * around it); a round asks for about {@code seconds} of runs.
     */
    private void prepareKernel(BenchSuite.Entry entry, List<Contender> contenders) throws Exception {
        Context context = BpfCommand.buildContext(builder(entry, KERNEL));
        try {
            Value program = RunCommand.program(context.eval(RunCommand.source(entry.object())), entry.name(), entry.object());
            if (!program.canInvokeMember("kernelBenchmark")) {
                notes.add("skipped: " + entry.name() + " on " + KERNEL + ": a " + entry.context() + " program has no kernel program type to run as");
                context.close();
                return;
            }
            byte[] data = entry.input() == null ? new byte[0] : entry.input();
            long probe = Math.max(1, program.invokeMember("kernelBenchmark", data, 1000).asLong());
            int runs = (int) Math.min(100_000_000L, Math.max(1, (long) (seconds * 1e9 / probe)));
            if (warmup > 0) {
                program.invokeMember("kernelBenchmark", data, (int) Math.min(100_000_000L, Math.max(1, (long) (warmup * 1e9 / probe))));
            }
            // The kernel's r0 is not part of its benchmark answer: no result to compare.
            contenders.add(new Contender(KERNEL, () -> program.invokeMember("kernelBenchmark", data, runs).asLong(), () -> (long) runs * rounds,
                            time -> rows.add(new Row(entry.name(), KERNEL, time, -1, Long.MIN_VALUE)), context::close));
        } catch (PolyglotException e) {
            notes.add("skipped: " + entry.name() + " on " + KERNEL + ": " + e.getMessage());
            context.close();
        } catch (Exception | Error e) {
            context.close();
            throw e;
        }
    }

    private static long runOnce(PeerProgram program) {
        try {
            return program.runOnce();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private void printTable() {
        out.printf("%-11s %-12s %10s %12s %12s %12s %9s %8s %9s %8s%n", "program", "engine", "runs", "ns/run", "min", "max", "load ms", "vs gcc", "vs kernel", "B/run");
        Map<String, Map<String, Row>> byProgram = new LinkedHashMap<>();
        for (Row row : rows) {
            byProgram.computeIfAbsent(row.program(), p -> new LinkedHashMap<>()).put(row.engine(), row);
        }
        for (Map.Entry<String, Map<String, Row>> program : byProgram.entrySet()) {
            Row gcc = program.getValue().get(GCC);
            Row kernel = program.getValue().get(KERNEL);
            Row reference = program.getValue().get("interpreter");
            for (Row row : program.getValue().values()) {
                Double bytes = allocation.get(row.program() + "/" + row.engine());
                out.printf("%-11s %-12s %10d %12.1f %12.1f %12.1f %9s %8s %9s %8s%n", row.program(), row.engine(), row.time().runs(), row.time().median(), row.time().min(),
                                row.time().max(), row.loadNanos() < 0 ? "-" : String.format("%.1f", row.loadNanos() / 1e6), ratio(row, gcc), ratio(row, kernel),
                                bytes == null || bytes < 0 ? "-" : String.format("%.1f", bytes));
                checkResult(row, reference);
            }
        }
        printGeometricMeans(byProgram);
        printJitTimes();
        printMemoryPerLoad();
        for (String note : notes) {
            out.println(note);
        }
    }

    /** Every engine must compute what the interpreter computes (the kernel's r0 is not reported): a note where one does not. */
    private void checkResult(Row row, Row reference) {
        if (reference != null && row.result() != Long.MIN_VALUE && row.result() != reference.result()) {
            notes.add("MISMATCH: " + row.program() + " on " + row.engine() + " returned " + Long.toUnsignedString(row.result()) + ", the interpreter "
                            + Long.toUnsignedString(reference.result()));
        }
    }

    private void printJson(Path svg) {
        List<Object> table = new ArrayList<>();
        for (Row row : rows) {
            Row reference = rows.stream().filter(r -> r.program().equals(row.program()) && r.engine().equals("interpreter")).findFirst().orElse(null);
            checkResult(row, reference);
            table.add(JsonWriter.object("program", row.program(), "engine", row.engine(), "runs", row.time().runs(), "ns_per_run", row.time().median(), "ns_min",
                            row.time().min(), "ns_max", row.time().max(), "load_ms", row.loadNanos() < 0 ? null : row.loadNanos() / 1e6, "bytes_per_run",
                            allocation.get(row.program() + "/" + row.engine())));
        }
        Map<String, Object> jit = new LinkedHashMap<>();
        jitNanos.forEach((program, byEngine) -> {
            Long count = instructions.get(program);
            if (count != null && count > 0) {
                Map<String, Object> perInstruction = new LinkedHashMap<>();
                byEngine.forEach((engine, nanos) -> perInstruction.put(engine, nanos / (double) count));
                jit.put(program, perInstruction);
            }
        });
        Map<String, Object> firstJit = new LinkedHashMap<>();
        firstJitNanos.forEach((program, nanos) -> {
            Long count = instructions.get(program);
            if (count != null && count > 0) {
                firstJit.put(program, nanos / (double) count);
            }
        });
        Map<String, Object> memory = new LinkedHashMap<>();
        memoryPerLoad.forEach((program, byEngine) -> {
            Map<String, Object> perEngine = new LinkedHashMap<>();
            byEngine.forEach((engine, bytes) -> perEngine.put(engine, JsonWriter.object("heap_bytes", bytes[0] < 0 ? null : bytes[0], "code_bytes", bytes[1])));
            memory.put(program, perEngine);
        });
        out.println(JsonWriter.write(JsonWriter.object("rows", table, "notes", notes, "svg", svg == null ? null : svg.toString(), "jit_ns_per_instruction", jit,
                        "first_jit_ns_per_instruction", firstJit, "memory_per_load", memory)));
    }

    /** The geometric mean of each engine's ratio to gcc -O2 over the programs both ran. */
    private void printGeometricMeans(Map<String, Map<String, Row>> byProgram) {
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (Map<String, Row> program : byProgram.values()) {
            Row gcc = program.get(GCC);
            if (gcc == null) {
                continue;
            }
            for (Row row : program.values()) {
                if (row != gcc && !row.engine().equals(KERNEL)) {
                    double[] sum = sums.computeIfAbsent(row.engine(), e -> new double[2]);
                    sum[0] += Math.log(row.time().median() / gcc.time().median());
                    sum[1]++;
                }
            }
        }
        for (Map.Entry<String, double[]> engine : sums.entrySet()) {
            out.printf("geometric mean vs %s: %-12s %.2f over %d programs%n", GCC, engine.getKey(), Math.exp(engine.getValue()[0] / engine.getValue()[1]),
                            (long) engine.getValue()[1]);
        }
    }

    /**
     * The JIT's time per BPF instruction, each the median of {@link #JIT_COMPILES} compiles (ours in this JVM after
     * {@link #JIT_WARMUP_COMPILES} untimed ones, uBPF's each in a new VM), ours also in the first compiles after the
     * load; and the geometric means of ours over uBPF's, warm and first.
     */
    private void printJitTimes() {
        double logSum = 0;
        double firstLogSum = 0;
        int compared = 0;
        for (Map.Entry<String, Map<String, Long>> program : jitNanos.entrySet()) {
            Long count = instructions.get(program.getKey());
            if (count == null || count == 0) {
                continue;
            }
            StringBuilder line = new StringBuilder(String.format("jit time per instruction: %-11s", program.getKey()));
            Long first = firstJitNanos.get(program.getKey());
            for (Map.Entry<String, Long> engine : program.getValue().entrySet()) {
                line.append(String.format(" %s %.0f ns", engine.getKey(), engine.getValue() / (double) count));
                if (engine.getKey().equals("native") && first != null) {
                    line.append(String.format(" (first compiles %.0f ns)", first / (double) count));
                }
            }
            out.println(line.append(String.format(" (%d instructions)", count)));
            Long ours = program.getValue().get("native");
            Long ubpf = program.getValue().get(UBPF_JIT);
            if (ours != null && ubpf != null && ubpf > 0 && first != null) {
                logSum += Math.log(ours / (double) ubpf);
                firstLogSum += Math.log(first / (double) ubpf);
                compared++;
            }
        }
        if (compared > 0) {
            out.printf("geometric mean jit time, native vs %s: %.2f over %d programs (first compiles after the load: %.2f)%n", UBPF_JIT,
                            Math.exp(logSum / compared), compared, Math.exp(firstLogSum / compared));
        }
    }

    /** What a loaded program holds, per engine: Java heap and, on the native engine, executable code. */
    private void printMemoryPerLoad() {
        for (Map.Entry<String, Map<String, long[]>> program : memoryPerLoad.entrySet()) {
            StringBuilder line = new StringBuilder(String.format("memory per loaded program: %-11s", program.getKey()));
            String separator = "";
            for (Map.Entry<String, long[]> engine : program.getValue().entrySet()) {
                long heap = engine.getValue()[0];
                line.append(separator).append(' ').append(engine.getKey()).append(' ').append(heap < 0 ? "? KiB heap" : String.format("%.1f KiB heap", heap / 1024.0));
                if (engine.getValue()[1] > 0) {
                    line.append(String.format(" + %.1f KiB code", engine.getValue()[1] / 1024.0));
                }
                separator = ",";
            }
            out.println(line);
        }
    }

    private static String ratio(Row row, Row base) {
        return base == null ? "-" : String.format("%.2f", row.time().median() / base.time().median());
    }
}
