package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line as a whole: help and version, exit codes (0 success, 1 program or input error, 2 usage error),
 * and the polyglot options ({@code --bpf.*}, {@code --engine.*}, {@code --log.*}) that go to the context.
 */
class CommandLineTest {
    @TempDir static Path dir;

    private record Result(int exit, String out, String err) {
    }

    private static Result bpf(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = BpfCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void programs() throws IOException {
        Files.writeString(dir.resolve("ok.s"), "mov %r0, 3\nexit\n");
        Files.writeString(dir.resolve("syntax.s"), "mov %r0,\nexit\n");
        Files.writeString(dir.resolve("fault.s"), "ldxdw %r0, [%r1+100]\nexit\n");
        // r6 is never written: the verifier refuses the read, an unverified run reads it as 0.
        Files.writeString(dir.resolve("unread.s"), "mov %r0, %r6\nadd %r0, 5\nexit\n");
        Files.writeString(dir.resolve("loop.s"), "mov %r0, 0\nloop:\nadd %r0, 1\njlt %r0, 1000, loop\nexit\n");
    }

    /** {@code {dir}} stands for the folder of the programs above. */
    @ParameterizedTest(name = "bpf {0} -> exit {1}")
    @CsvSource(delimiter = '|', value = {
        "                                      | 2",
        "--help                                | 0",
        "help                                  | 0",
        "--version                             | 0",
        "frobnicate                            | 2",
        "run {dir}/ok.s                        | 0",
        "run {dir}/ok.s --json                 | 0",
        "run                                   | 2",
        "run {dir}/ok.s {dir}/ok.s             | 2",
        "run {dir}/ok.s --frobnicate           | 2",
        "run {dir}/ok.s --program              | 2",
        "run {dir}/ok.s --limit 0              | 2",
        "run {dir}/ok.s --engine warp          | 2",
        "run {dir}/ok.s --bpf.NoSuchOption=1   | 2",
        "run {dir}/missing.s                   | 1",
        "run {dir}/syntax.s                    | 1",
        "run {dir}/fault.s                     | 1",
        "run {dir}/unread.s                    | 1",
        "run {dir}/loop.s --limit 10           | 1",
        "verify {dir}/ok.s                     | 0",
        "verify {dir}/unread.s                 | 1",
        "verify {dir}/missing.s                | 1",
        "verify {dir}/ok.s --kernel=yes        | 2",
        "disasm {dir}/ok.s                     | 0",
        "disasm                                | 2",
        "inspect {dir}/ok.s                    | 1",
        "fuzz stray                            | 2",
        "fuzz --count many                     | 2",
        "fuzz --bpf.Verify=false               | 2",
        "bench {dir}/ok.s --seconds forever    | 2",
        "bench {dir}/missing.s                 | 1",
        "jit-dump                              | 2",
    })
    void exitCodes(String line, int exit) {
        String[] args = line == null ? new String[0] : line.replace("{dir}", dir.toString()).trim().split("\\s+");
        Result r = bpf(args);
        assertEquals(exit, r.exit(), String.join(" ", args) + " -> " + r);
        if (exit != 0) {
            assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
            assertFalse(r.err().isBlank(), "an error says what went wrong");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "verify", "disasm", "inspect", "jit-dump", "bench", "fuzz", "conformance-plugin"})
    void everyCommandHasItsOwnHelpOnStdout(String command) {
        Result r = bpf(command, "--help");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("Usage: bpf " + command + " "), r.out());
        assertTrue(r.out().contains("--help"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void theOverviewListsEveryCommandAndTheExitCodes() {
        Result r = bpf("--help");
        for (String command : List.of("run", "verify", "disasm", "inspect", "jit-dump", "bench", "fuzz", "conformance-plugin")) {
            assertTrue(r.out().contains("\n  " + command + " "), command + " in:\n" + r.out());
        }
        assertTrue(r.out().contains("Exit codes: 0 success, 1 program or input error, 2 usage error."), r.out());
        Result none = bpf();
        assertEquals(r.out(), none.err(), "no command at all gets the overview on stderr");
    }

    @Test
    void versionNamesTheProjectVersion() {
        Result r = bpf("--version");
        assertTrue(r.out().matches("bpf \\(TruffleBPF\\) \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?, GraalVM Polyglot API .*\n"), r.out());
        assertEquals(r.out(), bpf("run", "--version").out(), "each command answers --version the same");
    }

    @Test
    void usageErrorsAreOneLineWithAHint() {
        Result r = bpf("run", dir.resolve("ok.s").toString(), "--frobnicate");
        assertEquals(List.of("bpf run: Unknown option: '--frobnicate'", "try 'bpf run --help'"), r.err().lines().toList());
    }

    @Test
    void aPolyglotOptionReachesTheContext() {
        String unread = dir.resolve("unread.s").toString();
        Result verified = bpf("run", unread);
        assertEquals(BpfCommand.EXIT_REJECTED, verified.exit(), verified.toString());
        Result unverified = bpf("run", unread, "--bpf.Verify=false");
        assertEquals(0, unverified.exit(), unverified.toString());
        assertEquals("r0 = 5 (0x5)\n", unverified.out());
        Result limited = bpf("run", dir.resolve("loop.s").toString(), "--bpf.InstructionLimit=10");
        assertEquals(BpfCommand.EXIT_REJECTED, limited.exit(), limited.toString());
        assertEquals(bpf("run", dir.resolve("loop.s").toString(), "--limit", "10").err(), limited.err(), "--bpf.InstructionLimit is --limit's option");
    }

    @Test
    void engineAndLogOptionsGoToTheEngine() {
        Result r = bpf("run", dir.resolve("ok.s").toString(), "--engine.WarnInterpreterOnly=false", "--log.level=OFF");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("r0 = 3 (0x3)\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void aBareOptionalValueOptionLeavesTheNextWordAsTheFile() throws IOException {
        Path lcov = dir.resolve("out.lcov");
        Result r = bpf("run", "--coverage=" + lcov, dir.resolve("ok.s").toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(Files.readString(lcov).contains("end_of_record"), Files.readString(lcov));
        Result bare = bpf("run", "--coverage", dir.resolve("ok.s").toString());
        assertEquals(0, bare.exit(), bare.toString());
        assertTrue(bare.out().contains("end_of_record"), "--coverage alone prints LCOV after the run: " + bare.out());
    }
}
