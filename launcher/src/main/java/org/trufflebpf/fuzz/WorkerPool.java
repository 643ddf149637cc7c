package org.trufflebpf.fuzz;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs a campaign's programs in worker processes ({@link FuzzWorker}), so that a native crash or a run that never
 * ends costs one program, not the campaign. Each worker runs one seed at a time; every answer is handed on as it
 * comes, so nothing finished is lost. A worker that dies (a signal, an abort) or does not answer within the
 * per-program timeout is stopped and replaced, and its seed becomes a {@link ProgramResult#CRASH} result whose
 * program is saved in the campaign's folder as {@code crash-SEED.s}, with the signal and the input.
 */
final class WorkerPool implements AutoCloseable {
    /** A JVM crash report names its signal on a line such as {@code #  SIGSEGV (0xb) at pc=...}. */
    private static final Pattern SIGNAL = Pattern.compile("#\\s+(SIG[A-Z]+) \\(0x[0-9a-f]+\\)");
    private static final long START_TIMEOUT_SECONDS = 120;
    private static final int MAX_START_FAILURES = 3;

    private final CampaignTrials.Settings settings;
    private final List<String> arguments;
    private final long timeoutMillis;
    /** Where workers' crash reports and stderr go: the campaign's folder, or a temporary one. */
    private final Path scratch;
    private final boolean ownScratch;
    private final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
    private final List<Worker> workers = new ArrayList<>();
    private int started;
    private int startFailures;

    private record Answer(Worker worker, String line) {
    }

    private final class Worker {
        final int id;
        final Process process;
        final Writer seeds;
        final Path errors;
        long inFlight = -1;
        /** The saved program running now, or null when it is the program of seed {@link #inFlight}. */
        DiffCase inFlightCase;
        long deadline;
        boolean ready;
        boolean retired;

        Worker(int id) throws IOException {
            this.id = id;
            errors = scratch.resolve("worker-" + id + ".err");
            List<String> command = new ArrayList<>(javaCommand(scratch.resolve("hs_err_worker" + id + "_%p.log")));
            command.addAll(arguments);
            process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            seeds = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
            Thread.ofPlatform().daemon().name("fuzz-worker-" + id).start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null;) {
                        answers.add(new Answer(this, line));
                    }
                } catch (IOException e) {
                    // the worker is gone: said below
                }
                answers.add(new Answer(this, null));
            });
        }

        void send(long seed) throws IOException {
            request(seed, Long.toString(seed));
            inFlightCase = null;
        }

        void send(Job job) throws IOException {
            if (job.saved() == null) {
                send(job.seed());
            } else {
                sendCase(job.seed(), job.saved());
            }
        }

        /** Asks for a variant of a seed's program ({@link FuzzWorker#CASE}). */
        void sendCase(long seed, DiffCase c) throws IOException {
            request(seed, String.join("\t", FuzzWorker.CASE, Long.toString(seed), ProgramResult.escape(c.text()), Outcome.hex(c.input())));
            inFlightCase = c;
        }

        private void request(long seed, String line) throws IOException {
            inFlight = seed;
            deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            seeds.write(line + "\n");
            seeds.flush();
        }

        void finish() {
            try {
                seeds.close();
            } catch (IOException e) {
                // it has ended already
            }
        }

        void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    WorkerPool(CampaignTrials.Settings settings, long timeoutMillis) throws IOException {
        this.settings = settings;
        this.timeoutMillis = timeoutMillis;
        this.ownScratch = settings.out() == null;
        this.scratch = ownScratch ? Files.createTempDirectory("bpf-fuzz-workers") : Files.createDirectories(settings.out());
        arguments = List.of(Long.toString(settings.seed()), Integer.toString(settings.bodyLength()), settings.launder() ? "launder" : "verified",
                        settings.context() == null ? "-" : settings.context(), settings.out() == null ? "-" : settings.out().toString(),
                        settings.soundness() ? "soundness" : "plain", String.join(",", new TreeSet<>(settings.engines())));
    }

    /** The pids of the workers running now (for a test that kills one). */
    List<Long> pids() {
        synchronized (workers) {
            return workers.stream().filter(w -> w.process.isAlive()).map(w -> w.process.pid()).toList();
        }
    }

    /**
     * What a worker runs: the program of a seed, or a saved program ({@code saved}, e.g. from a corpus) under the
     * engines' settings of {@code seed}.
     */
    record Job(long seed, DiffCase saved) {
    }

    /**
     * Runs seeds from {@code next} (which answers -1 when there are no more) on {@code count} workers until all
     * are answered; {@code results} receives each answer, crashes and timeouts included, on this thread.
     */
    void run(int count, LongSupplier next, Consumer<ProgramResult> results) throws IOException, InterruptedException {
        runJobs(count, () -> {
            long seed = next.getAsLong();
            return seed < 0 ? null : new Job(seed, null);
        }, (Job job, ProgramResult result) -> results.accept(result));
    }

    /** As {@link #run}, for jobs from {@code next} (null when there are no more); {@code results} sees each job with its answer. */
    void runJobs(int count, Supplier<Job> next, BiConsumer<Job, ProgramResult> results) throws IOException, InterruptedException {
        for (int i = 0; i < count; i++) {
            addWorker();
        }
        boolean more = true;
        int busy = 0;
        while (more || busy > 0) {
            Answer answer = answers.poll(200, TimeUnit.MILLISECONDS);
            if (answer != null && !answer.worker().retired) {
                Worker worker = answer.worker();
                if ("ready".equals(answer.line())) {
                    worker.ready = true;
                    startFailures = 0;
                } else if (answer.line() != null && !ProgramResult.isAnswer(answer.line())) {
                    continue; // what the JVM printed on its own (a crash banner), not an answer
                } else if (answer.line() != null) {
                    ProgramResult result = ProgramResult.decode(answer.line());
                    if (result.seed() != worker.inFlight) {
                        throw new IOException("fuzz worker " + worker.id + " answered seed " + result.seed() + " while running " + worker.inFlight);
                    }
                    Job job = new Job(worker.inFlight, worker.inFlightCase);
                    worker.inFlight = -1;
                    busy--;
                    results.accept(job, result);
                } else if (!worker.ready) {
                    // A worker that dies before it takes programs has no program to blame; a few in a row mean it cannot start.
                    if (++startFailures >= MAX_START_FAILURES) {
                        throw new IOException("a fuzz worker could not start: " + tail(worker.errors));
                    }
                    retire(worker);
                    addWorker();
                    continue;
                } else {
                    // The worker is gone, and the seed it was running (if any) took it down.
                    if (worker.inFlight >= 0) {
                        busy--;
                        Job job = new Job(worker.inFlight, worker.inFlightCase);
                        results.accept(job, crashed(worker, describeExit(worker)));
                    }
                    retire(worker);
                    if (more) {
                        addWorker();
                    }
                    continue;
                }
                if (more && worker.inFlight < 0) {
                    Job job = next.get();
                    if (job == null) {
                        more = false;
                    } else {
                        worker.send(job);
                        busy++;
                    }
                }
            }
            long now = System.nanoTime();
            for (Worker worker : List.copyOf(workers)) {
                if (now - worker.deadline <= 0 || (worker.ready && worker.inFlight < 0)) {
                    continue;
                }
                worker.kill();
                if (!worker.ready) {
                    throw new IOException("a fuzz worker did not start within " + START_TIMEOUT_SECONDS + " s: " + tail(worker.errors));
                }
                worker.process.waitFor(30, TimeUnit.SECONDS);
                busy--;
                Job job = new Job(worker.inFlight, worker.inFlightCase);
                results.accept(job, crashed(worker, "gave no answer within " + timeoutMillis / 1000.0 + " s and was stopped"));
                retire(worker);
                if (more) {
                    addWorker();
                }
            }
        }
    }

    private void addWorker() throws IOException {
        Worker worker = new Worker(++started);
        synchronized (workers) {
            workers.add(worker);
        }
    }

    /** Takes a dead or stopped worker out of the pool; what its reader thread still reports is ignored. */
    private void retire(Worker worker) {
        worker.retired = true;
        synchronized (workers) {
            workers.remove(worker);
        }
        worker.finish();
    }

    private ProgramResult crashed(Worker worker, String how) throws IOException {
        long seed = worker.inFlight;
        DiffCase saved = worker.inFlightCase;
        worker.inFlight = -1;
        if (saved != null) {
            // A saved program is its own reproducer already.
            return new ProgramResult(seed, ProgramResult.CRASH, how, DifferentialRunner.KernelResult.NOT_RUN, null,
                            saved.name() + " (seed " + seed + "): worker " + worker.id + " " + how);
        }
        String finding = "seed " + seed + ": worker " + worker.id + " " + how;
        if (settings.out() != null) {
            DiffCase c = CampaignTrials.caseOf(settings, seed);
            Path file = Reproducer.write(settings.out(), "crash-" + seed + ".s",
                            "# Worker " + worker.id + " " + how + " running " + CampaignTrials.header(settings, seed, c.input()) + c.text());
            finding += " -> " + file;
        }
        return new ProgramResult(seed, ProgramResult.CRASH, how, DifferentialRunner.KernelResult.NOT_RUN, null, finding);
    }

    /**
     * Shrinks the program of a crashed seed as divergences are shrunk, each variant run in a fresh worker until one
     * crashes it again (or outlives the timeout), for at most {@code budgetMillis}; the result goes beside the crash
     * as {@code crash-SEED-reduced.s}. Answers one line saying what came of it. Needs the campaign's folder.
     */
    String reduceCrash(long seed, long budgetMillis) throws IOException, InterruptedException {
        DiffCase original = CampaignTrials.caseOf(settings, seed);
        if (!crashes(seed, original)) {
            return "not reproduced: it ran to its end when run again alone";
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMillis);
        DiffCase reduced = Reducer.shrink(original, c -> {
            try {
                return System.nanoTime() < deadline && crashes(seed, c);
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        Path file = Reproducer.write(settings.out(), "crash-" + seed + "-reduced.s", "# Still takes a worker down: reduced from crash-" + seed + ".s, "
                        + CampaignTrials.header(settings, seed, reduced.input()) + reduced.text());
        return "reduced to " + file + " (" + instructions(reduced) + " of " + instructions(original) + " lines)";
    }

    private static long instructions(DiffCase c) {
        return c.text().lines().filter(line -> !line.isBlank() && !line.strip().startsWith("#")).count();
    }

    /** The worker that runs variants of crashed programs; null until needed and after each crash. */
    private Worker reducer;
    private final List<Worker> reducers = new ArrayList<>();

    /** Whether the case crashes a worker (it dies, or gives no answer within the timeout). */
    private boolean crashes(long seed, DiffCase c) throws IOException, InterruptedException {
        if (reducer == null) {
            reducer = new Worker(++started);
            reducers.add(reducer);
            awaitReady(reducer);
        }
        reducer.sendCase(seed, c);
        while (true) {
            Answer answer = answers.poll(200, TimeUnit.MILLISECONDS);
            if (answer == null) {
                if (System.nanoTime() - reducer.deadline > 0) {
                    reducer.kill();
                    retire(reducer);
                    reducer = null;
                    return true;
                }
            } else if (answer.worker() == reducer && answer.line() == null) {
                retire(reducer);
                reducer = null;
                return true;
            } else if (answer.worker() == reducer && ProgramResult.isAnswer(answer.line())) {
                reducer.inFlight = -1;
                return false;
            }
        }
    }

    private void awaitReady(Worker worker) throws IOException, InterruptedException {
        while (true) {
            Answer answer = answers.poll(200, TimeUnit.MILLISECONDS);
            if (answer != null && answer.worker() == worker) {
                if (answer.line() == null) {
                    throw new IOException("a fuzz worker could not start: " + tail(worker.errors));
                }
                if (answer.line().equals("ready")) {
                    worker.ready = true;
                    return;
                }
            } else if (answer == null && System.nanoTime() - worker.deadline > 0) {
                worker.kill();
                throw new IOException("a fuzz worker did not start within " + START_TIMEOUT_SECONDS + " s: " + tail(worker.errors));
            }
        }
    }

    /** How a worker ended: the signal its crash report names, else its exit code (128 + N: signal N). */
    private String describeExit(Worker worker) throws IOException {
        try {
            worker.process.waitFor(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int code = worker.process.isAlive() ? -1 : worker.process.exitValue();
        String report = "";
        try (Stream<Path> files = Files.list(scratch)) {
            for (Path file : files.filter(f -> f.getFileName().toString().equals("hs_err_worker" + worker.id + "_" + worker.process.pid() + ".log")).toList()) {
                Matcher m = SIGNAL.matcher(Files.readString(file));
                if (m.find()) {
                    report = m.group(1) + ", ";
                }
            }
        }
        // HotSpot answers a fatal signal with a crash report and an abort: the report names the signal that killed it.
        return report.isEmpty() ? "died (exit code " + code + (code > 128 ? ": signal " + (code - 128) : "") + ")"
                        : "died of " + report.substring(0, report.length() - 2) + " (the JVM's crash report; exit code " + code + ")";
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }

    /** This JVM's command line with the worker as its main class: same java, same options, same module or class path. */
    private static List<String> javaCommand(Path errorFile) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // Not a second cache training, crash report or debugger on the same port.
            if (!argument.startsWith("-XX:AOTCacheOutput") && !argument.startsWith("-XX:ErrorFile") && !argument.startsWith("-agentlib:jdwp")) {
                command.add(argument);
            }
        }
        command.add("-XX:ErrorFile=" + errorFile);
        if (FuzzWorker.class.getModule().isNamed()) {
            command.add("--module");
            command.add(FuzzWorker.class.getModule().getName() + "/" + FuzzWorker.class.getName());
        } else {
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(FuzzWorker.class.getName());
        }
        return command;
    }

    @Override
    public void close() {
        synchronized (workers) {
            for (Worker worker : workers) {
                worker.finish();
            }
            for (Worker worker : workers) {
                try {
                    if (!worker.process.waitFor(10, TimeUnit.SECONDS)) {
                        worker.kill();
                    }
                } catch (InterruptedException e) {
                    worker.kill();
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (reducer != null) {
            reducer.finish();
        }
        try (Stream<Path> files = Files.list(scratch)) {
            List<String> reducerReports = reducers.stream().map(w -> "hs_err_worker" + w.id + "_").toList();
            for (Path file : files.filter(f -> reducerReports.stream().anyMatch(f.getFileName().toString()::startsWith)).toList()) {
                Files.delete(file); // the crashes a reduction provoked on purpose
            }
        } catch (IOException e) {
            // left behind
        }
        try (Stream<Path> files = Files.list(scratch)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".err")).toList()) {
                if (Files.readAllLines(file).stream().allMatch(line -> line.startsWith(FuzzWorker.READY))) {
                    Files.delete(file); // a worker that said nothing on stderr but that it was ready
                }
            }
        } catch (IOException e) {
            // left behind
        }
        if (ownScratch) {
            try (Stream<Path> files = Files.list(scratch)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
                Files.deleteIfExists(scratch);
            } catch (IOException e) {
                // a temporary folder left behind
            }
        }
    }
}
