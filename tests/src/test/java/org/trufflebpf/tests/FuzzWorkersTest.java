package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trufflebpf.fuzz.ProgramGenerator;

/**
 * A campaign's programs run in worker processes: a worker killed by SIGSEGV in the middle of a campaign costs the
 * program it was running and nothing else, and so does one that stops answering. The campaign (a child JVM running
 * {@code bpf fuzz}) goes on with a new worker, counts every program, and saves the one that was running, with the
 * signal or the timeout.
 */
class FuzzWorkersTest {
    private static final int PROGRAMS = 300;

    /** Starts {@code bpf fuzz ARGS} in a child JVM with two workers, its output in {@code dir/campaign.log}. */
    private static Process startCampaign(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.trufflebpf.launcher.BpfCommand"));
        command.addAll(List.of("fuzz", "--count", Integer.toString(PROGRAMS), "--seed", "20261128", "--workers", "2", "--out", dir.resolve("out").toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("campaign.log").toFile()).start();
    }

    /**
     * Waits until the campaign's first worker takes programs (it says so, with its pid, in {@code out/worker-1.err}),
     * then gives it time to finish some; that worker.
     */
    private static ProcessHandle aRunningWorker(Process campaign, Path dir) throws InterruptedException, IOException {
        Path errors = dir.resolve("out").resolve("worker-1.err");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        Optional<String> ready = Optional.empty();
        while (ready.isEmpty() && System.nanoTime() < deadline && campaign.isAlive()) {
            Thread.sleep(200);
            if (Files.exists(errors)) {
                ready = Files.readAllLines(errors).stream().filter(line -> line.startsWith("fuzz worker ready, pid ")).findFirst();
            }
        }
        assertTrue(ready.isPresent(), "worker 1 started and took programs");
        Thread.sleep(5000);
        assertTrue(campaign.isAlive(), "the campaign was still running when the worker was to be signalled");
        return ProcessHandle.of(Long.parseLong(ready.get().substring("fuzz worker ready, pid ".length()))).orElseThrow();
    }

    private static void signal(String signal, ProcessHandle process) throws IOException, InterruptedException {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor());
    }

    @Test
    void aWorkerKilledBySigsegvLosesNoFinishedResultAndSavesTheProgramItWasRunning(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Process campaign = startCampaign(dir);
        try {
            long victim = aRunningWorker(campaign, dir).pid();
            signal("SEGV", ProcessHandle.of(victim).orElseThrow());
            assertTrue(campaign.waitFor(300, TimeUnit.SECONDS), "the campaign ended");
            String log = Files.readString(dir.resolve("campaign.log"), StandardCharsets.UTF_8);
            // Every program is accounted for: all but one finished, and that one is the crash.
            assertTrue(log.contains(PROGRAMS + " programs, 0 divergences, 1 crashes\n"), log);
            Matcher crash = Pattern.compile("crashed: seed (\\d+): worker 1 died of SIGSEGV \\(the JVM's crash report; exit code \\d+\\) -> (\\S+)").matcher(log);
            assertTrue(crash.find(), log);
            Path saved = Path.of(crash.group(2));
            assertEquals(out.resolve("crash-" + crash.group(1) + ".s"), saved);
            String program = Files.readString(saved);
            assertTrue(program.startsWith("# Worker ") && program.contains("died of SIGSEGV"), program);
            assertTrue(program.contains("running fuzz seed " + crash.group(1) + " (campaign seed 20261128)\n# input ("), program);
            assertTrue(program.lines().anyMatch(line -> line.strip().equals("exit")), "the program itself follows its header: " + program);
            Optional<Path> report = Files.list(out).filter(f -> f.getFileName().toString().endsWith("_" + victim + ".log")).findFirst();
            assertTrue(report.isPresent(), "the killed worker's crash report is kept beside the program");
            assertEquals(1, campaign.exitValue(), "a crash makes the campaign's exit code 1: " + log);
            assertFalse(Files.exists(dir.resolve("hs_err_" + campaign.pid() + ".log")), "the campaign itself did not crash");
        } finally {
            campaign.descendants().forEach(ProcessHandle::destroyForcibly);
            campaign.destroyForcibly();
        }
    }

    @Test
    void aWorkerThatStopsAnsweringIsReplacedAfterTheTimeoutAndItsProgramSaved(@TempDir Path dir) throws Exception {
        Process campaign = startCampaign(dir, "--timeout", "30");
        try {
            // A stopped process never answers: as a run stuck in native code would look to the campaign.
            signal("STOP", aRunningWorker(campaign, dir));
            assertTrue(campaign.waitFor(300, TimeUnit.SECONDS), "the campaign ended");
            String log = Files.readString(dir.resolve("campaign.log"), StandardCharsets.UTF_8);
            // Every program is accounted for. (On a loaded machine another worker may also outlive the timeout.)
            assertTrue(log.contains(PROGRAMS + " programs, 0 divergences, "), log);
            assertFalse(log.contains(" died "), "no worker died: " + log);
            Matcher crash = Pattern.compile("crashed: seed (\\d+): worker 1 gave no answer within 30.0 s and was stopped -> (\\S+)").matcher(log);
            assertTrue(crash.find(), log);
            assertTrue(Files.readString(Path.of(crash.group(2))).contains("running fuzz seed " + crash.group(1) + " "), crash.group(2));
            assertEquals(1, campaign.exitValue(), log);
        } finally {
            campaign.descendants().forEach(ProcessHandle::destroyForcibly);
            campaign.destroyForcibly();
        }
    }
    /**
     * A program that crashes its worker every time is shrunk as a divergence is: each variant runs in a fresh worker,
     * and the smallest that still takes one down is saved beside the crash. The crash is simulated: with the test
     * property {@code bpf.fuzz.worker.crashOn}, a worker kills itself with SIGSEGV before a program whose text holds
     * that string; here a 64-bit constant of the first program's.
     */
    @Test
    void aProgramThatCrashesItsWorkerEveryTimeIsReducedToTheLinesThatDoIt(@TempDir Path dir) throws Exception {
        long seed = 20261128;
        String marker = ProgramGenerator.generate(seed, 10).text().lines().map(String::strip).filter(line -> line.matches("lddw %r\\d, -?\\d{12,}")).findFirst()
                        .orElseThrow();
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-Dbpf.fuzz.worker.crashOn=" + marker);
        command.add("-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.trufflebpf.launcher.BpfCommand"));
        command.addAll(List.of("fuzz", "--count", "3", "--body", "10", "--seed", Long.toString(seed), "--workers", "1", "--out", dir.resolve("out").toString()));
        Process campaign = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("campaign.log").toFile()).start();
        try {
            assertTrue(campaign.waitFor(400, TimeUnit.SECONDS), "the campaign ended");
            String log = Files.readString(dir.resolve("campaign.log"), StandardCharsets.UTF_8);
            assertTrue(log.contains("3 programs, 0 divergences, 1 crashes\n"), log);
            Matcher reduced = Pattern.compile("crashed: seed " + seed + ": worker 1 died of SIGSEGV .* -> (\\S+) \\(reduced to (\\S+) \\((\\d+) of (\\d+) lines\\)\\)").matcher(log);
            assertTrue(reduced.find(), log);
            String program = Files.readString(Path.of(reduced.group(2)));
            assertTrue(program.startsWith("# Still takes a worker down: reduced from crash-" + seed + ".s, fuzz seed " + seed), program);
            assertTrue(program.contains(marker), program);
            long lines = program.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).count();
            assertEquals(Long.parseLong(reduced.group(3)), lines, program);
            assertTrue(lines * 10 < Long.parseLong(reduced.group(4)), "a tenth of the program or less is left: " + program);
        } finally {
            campaign.descendants().forEach(ProcessHandle::destroyForcibly);
            campaign.destroyForcibly();
        }
    }
}
