package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.trufflebpf.asm.ConformanceFile;
import org.trufflebpf.conformance.ConformanceSuite;
import org.trufflebpf.model.InstructionDecoder;

/**
 * {@code bpf conformance-plugin} driven as the bpf_conformance runner drives a plugin: one call per test, the
 * program as hex bytes ("b7  00  ...") on stdin, the memory (when the test has any) as the first argument in the
 * same form, the plugin options after it; stdout holds r0 in hex. Every file of the suite runs in-process on each
 * engine through the subcommand; a sample runs as real JVM processes (all 313 with BPF_PLUGIN_PROCESSES=all,
 * which prints the wall time per engine; BPF_PLUGIN_COMMAND names the executable to start instead of a bare JVM).
 */
class ConformancePluginCommandTest {
    /** Files covering the protocol's cases: no memory, memory, raw words (lddw), helper calls (callx, call_unwind_fail), all 64 bits of r0. */
    private static final Set<String> PROCESS_SAMPLE = Set.of("add.data", "ldxdw.data", "be64.data", "callx.data", "call_unwind_fail.data",
                    "lddw.data", "mem-len.data");

    private record Result(int exit, String out, String err) {
    }

    /** The runner's encoding: every byte as two hex digits followed by two spaces. */
    private static String runnerHex(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            text.append(String.format("%02x", b & 0xff)).append("  ");
        }
        return text.toString();
    }

    /** The plugin's arguments as the runner builds them: the memory first when there is any, then the options. */
    private static List<String> runnerArguments(ConformanceFile file, String engine) {
        List<String> args = new ArrayList<>();
        if (file.memory() != null && file.memory().length > 0) {
            args.add(runnerHex(file.memory()));
        }
        args.add("--engine");
        args.add(engine);
        return args;
    }

    private static String runnerStdin(ConformanceFile file) {
        return runnerHex(InstructionDecoder.encode(file.program().code())) + "\n";
    }

    private static Result inProcess(String stdin, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        ConformancePluginCommand plugin = new ConformancePluginCommand(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.US_ASCII)));
        // Through the command's error handling, as bin/bpf-conformance-plugin runs it.
        int exit = BpfCommand.run("conformance-plugin", plugin, args, new PrintStream(out, true, StandardCharsets.UTF_8), errStream);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * A JVM started as bin/bpf starts one without its start-up cache, running {@code bpf conformance-plugin ARGS}
     * with STDIN; or, with BPF_PLUGIN_COMMAND set (e.g. to bin/bpf-conformance-plugin), that executable.
     */
    private static Result inProcessOfItsOwn(String stdin, List<String> args) throws IOException, InterruptedException {
        String plugin = System.getenv("BPF_PLUGIN_COMMAND");
        List<String> command = plugin != null ? new ArrayList<>(List.of(plugin)) : new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                        "-XX:+UnlockExperimentalVMOptions", "-XX:+EnableJVMCI", "--upgrade-module-path=" + System.getProperty("jdk.module.upgrade.path"),
                        "--enable-native-access=org.graalvm.truffle,org.trufflebpf.language,org.trufflebpf.jit.x64,org.trufflebpf.kernel",
                        "--sun-misc-unsafe-memory-access=allow", "-Xss8m", "--module-path", System.getProperty("jdk.module.path"),
                        "--module", "org.trufflebpf.launcher/org.trufflebpf.launcher.BpfCommand", "conformance-plugin"));
        command.addAll(args);
        Process process = new ProcessBuilder(command).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.US_ASCII));
        }
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "plugin process did not finish");
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** What the runner does with the plugin's output: all lines joined, read as hex, compared in all 64 bits. */
    private static void assertRunnerPasses(ConformanceFile file, Result result) {
        assertEquals(0, result.exit(), () -> file.name() + ": plugin failed: " + result);
        assertTrue(result.out().strip().matches("[0-9a-f]{1,16}"), () -> file.name() + ": r0 is not bare hex: " + result);
        long r0 = Long.parseUnsignedLong(result.out().replace("\n", ""), 16);
        assertNotNull(file.result(), file.name() + " has no expected result");
        assertEquals(file.result().longValue(), r0, () -> String.format("%s: r0 = 0x%x, expected 0x%x", file.name(), r0, file.result()));
    }

    private static List<Path> suite() {
        Assumptions.assumeTrue(ConformanceSuite.directory().isPresent(), ConformanceSuite.whereToPut());
        List<Path> files = ConformanceSuite.files("tests");
        assertEquals(313, files.size(), "the suite should hold 313 programs");
        return files;
    }

    @ParameterizedTest
    @ValueSource(strings = {"interpreter", "native"})
    void everySuiteProgramPassesInProcessAsTheRunnerChecksIt(String engine) throws Exception {
        for (Path path : suite()) {
            ConformanceFile file = ConformanceFile.read(path);
            assertRunnerPasses(file, inProcess(runnerStdin(file), runnerArguments(file, engine).toArray(String[]::new)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"interpreter", "native"})
    void suiteProgramsPassInProcessesOfTheirOwnAsTheRunnerStartsThem(String engine) throws Exception {
        boolean all = "all".equals(System.getenv("BPF_PLUGIN_PROCESSES"));
        int count = 0;
        long start = System.nanoTime();
        for (Path path : suite()) {
            if (!all && !PROCESS_SAMPLE.contains(path.getFileName().toString())) {
                continue;
            }
            ConformanceFile file = ConformanceFile.read(path);
            assertRunnerPasses(file, inProcessOfItsOwn(runnerStdin(file), runnerArguments(file, engine)));
            count++;
        }
        assertEquals(all ? 313 : PROCESS_SAMPLE.size(), count, "every chosen file should be in the suite");
        System.out.printf("conformance-plugin, %s engine: %d tests as processes in %.1f s wall%n", engine, count, (System.nanoTime() - start) / 1e9);
    }

    @Test
    void takesTheOptionsOfOlderRunnersAsOneArgumentAndAnEmptyMemoryArgument() throws Exception {
        Result r = inProcess("b7  00  00  00  2a  00  00  00  95  00  00  00  00  00  00  00  \n", "", "--engine native");
        assertEquals(new Result(0, "2a\n", ""), r);
    }

    @Test
    void printsR0AsBareHexInAll64Bits() throws Exception {
        // lddw r0, 0x8877665544332211; exit
        Result r = inProcess("18 00 00 00 11 22 33 44 00 00 00 00 55 66 77 88 95 00 00 00 00 00 00 00");
        assertEquals(new Result(0, "8877665544332211\n", ""), r);
    }

    @Test
    void passesTheMemoryArgumentAsR1AndItsLengthAsR2() throws Exception {
        // ldxb r0, [r1+1]; add r0, r2; exit
        Result r = inProcess("71 10 01 00 00 00 00 00 0f 20 00 00 00 00 00 00 95 00 00 00 00 00 00 00", "00  07  00  ");
        assertEquals(new Result(0, "a\n", ""), r);
    }

    @Test
    void aProgramTheVerifierRejectsIsOneLineOnStderrWithExitOne() throws Exception {
        // mov r0, 1 with no exit: falls off the end.
        Result r = inProcess("b7 00 00 00 01 00 00 00\n");
        assertEquals(BpfCommand.EXIT_REJECTED, r.exit(), r.toString());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void anOutOfBoundsReadAtRunTimeIsOneLineOnStderrWithExitOne() throws Exception {
        // ldxdw r0, [r1+0] over 4 bytes of memory.
        Result r = inProcess("79 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00", "01 02 03 04");
        assertEquals(BpfCommand.EXIT_REJECTED, r.exit(), r.toString());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void stdinThatIsNotHexIsNamedWithItsPosition() throws Exception {
        Result r = inProcess("b7 00 zz");
        assertEquals(new Result(BpfCommand.EXIT_REJECTED, "", "stdin: 'z' at character 6 is not a hex digit\n"), r);
    }

    @Test
    void emptyStdinIsAnError() throws Exception {
        Result r = inProcess("\n");
        assertEquals(new Result(BpfCommand.EXIT_REJECTED, "", "stdin: no program (expected the program's bytes as hex)\n"), r);
    }

    @Test
    void anUnknownEngineIsAUsageError() throws Exception {
        Result r = inProcess("95 00 00 00 00 00 00 00", "--engine", "quantum");
        assertEquals(BpfCommand.EXIT_USAGE, r.exit(), r.toString());
        assertTrue(r.err().contains("quantum"), r.err());
    }
}
