package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every shell snippet of the README runs as printed, from the repository's root, and prints what the README shows
 * (see {@link ReadmeSnippets} for the conventions). {@code bin/bpf} runs with {@code BPF_NO_BUILD=1}: this test
 * runs inside the Maven build that has just packaged its jars. Snippets that need the host kernel are skipped, with
 * the reason, where it cannot run programs.
 */
final class ReadmeSnippetsTest {
    private static final Path ROOT = KernelEngineTest.ROOT;
    private static final long TIMEOUT_SECONDS = 180;
    /** bin/bpf's notices of one-off set-up work (its start-up cache, its runtime image): not part of a command's output. */
    private static final List<String> SETUP_NOTICES = List.of("bpf: training the start-up cache", "bpf: linking a runtime");
    /**
     * Where this run's snippets put the files the README writes to {@code /tmp/}. /tmp is shared by every build on
     * the machine, and a concurrent run of the same snippet truncates {@code /tmp/count.info} between this run's
     * write and its {@code grep}; a private directory keeps the commands as printed and their files to this run.
     */
    private static final String SCRATCH = scratchDirectory();

    private static String scratchDirectory() {
        try {
            return Files.createTempDirectory("readme-snippets") + "/";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void removeTheScratchDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of(SCRATCH))) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    private static ReadmeSnippets readme() throws IOException {
        return ReadmeSnippets.parse(Files.readString(ROOT.resolve("README.md")));
    }

    @TestFactory
    Stream<DynamicTest> everyShellSnippetOfTheReadmeRunsAsPrinted() throws IOException {
        List<ReadmeSnippets.Snippet> snippets = readme().snippets();
        assertFalse(snippets.isEmpty(), "the README has shell snippets");
        return snippets.stream().map(snippet -> DynamicTest.dynamicTest(snippet.name(), () -> check(snippet)));
    }

    @Test
    void theReadmesTestCommandIsTheOneCiRuns() throws IOException {
        // bin/test is the one snippet not run here: it runs this very test. What it must be is CI's command.
        List<String> ciCommands = Files.readAllLines(ROOT.resolve(".ci/run")).stream().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        assertTrue(readme().snippets().stream().flatMap(s -> s.commands().stream()).anyMatch(c -> c.text().equals("bin/test")), "the README names bin/test");
        assertTrue(ciCommands.stream().anyMatch(line -> line.matches("(exec )?(bash )?(\\./)?bin/test( .*)?")), ".ci/run runs bin/test: " + ciCommands);
    }

    @Test
    void aTranscriptMatchesLineByLineWithEllipses() {
        assertTrue(ReadmeSnippets.matches(List.of("r0 = 1 (0x1) XDP_DROP", "...", "map .bss (global data):"),
                        List.of("r0 = 1 (0x1) XDP_DROP", "map a:", "  [6] = 1", "map .bss (global data):")));
        assertTrue(ReadmeSnippets.matches(List.of("kernel BTF: loaded (btf_id ..., key type 6)"), List.of("kernel BTF: loaded (btf_id 23919, key type 6)")));
        assertFalse(ReadmeSnippets.matches(List.of("r0 = 1 (0x1) XDP_DROP"), List.of("r0 = 2 (0x2) XDP_PASS")), "a different line");
        assertFalse(ReadmeSnippets.matches(List.of("r0 = 1 (0x1) XDP_DROP"), List.of("r0 = 1 (0x1) XDP_DROP", "more")), "an extra line");
        assertFalse(ReadmeSnippets.matches(List.of("a", "b"), List.of("a")), "a missing line");
    }

    @Test
    void snippetsAreReadByTheirFenceAndDirective() {
        String markdown = """
                        Text.
                        <!-- readme-test: expect "r0 = 7" -->
                        ```sh
                        bin/bpf run x.s
                        # a comment
                        ```
                        ```
                        $ bin/bpf verify y.s
                        y.s: ok
                        $ grep DA: z.info   # comment
                        ```
                        ```java
                        $ not a command
                        ```
                        """;
        List<ReadmeSnippets.Snippet> snippets = ReadmeSnippets.parse(markdown).snippets();
        assertEquals(2, snippets.size(), snippets.toString());
        assertEquals(ReadmeSnippets.Check.SUCCEEDS, snippets.get(0).check());
        assertEquals("r0 = 7", snippets.get(0).text());
        assertEquals(List.of("bin/bpf run x.s"), snippets.get(0).commands().stream().map(ReadmeSnippets.Command::text).toList());
        assertEquals(ReadmeSnippets.Check.TRANSCRIPT, snippets.get(1).check());
        assertEquals(List.of("y.s: ok"), snippets.get(1).commands().get(0).expected());
        assertEquals(List.of(), snippets.get(1).commands().get(1).expected());
    }

    private static void check(ReadmeSnippets.Snippet snippet) throws Exception {
        for (ReadmeSnippets.Command command : snippet.commands()) {
            if (command.text().equals("bin/test")) {
                continue; // checked against .ci/run by theReadmesTestCommandIsTheOneCiRuns
            }
            if (command.text().contains("--engine kernel") || command.text().contains("--kernel")) {
                KernelEngineTest.assumeKernel();
            }
            String where = "README.md:" + command.line() + ": " + command.text();
            switch (snippet.check()) {
                case TRANSCRIPT -> {
                    Run run = run(command.text(), null);
                    assertTrue(ReadmeSnippets.matches(command.expected(), run.lines()),
                                    where + "\nthe README shows:\n" + String.join("\n", command.expected()) + "\nit printed:\n" + String.join("\n", run.lines()));
                }
                case SUCCEEDS -> {
                    Run run = run(command.text(), null);
                    assertEquals(0, run.exit(), where + " failed:\n" + String.join("\n", run.lines()));
                    if (snippet.text() != null) {
                        assertTrue(String.join("\n", run.lines()).contains(snippet.text()), where + " did not print '" + snippet.text() + "':\n" + String.join("\n", run.lines()));
                    }
                }
                case UNTIL -> {
                    Run run = run(command.text(), snippet.text());
                    assertTrue(run.sawUntil(), where + " did not print '" + snippet.text() + "':\n" + String.join("\n", run.lines()));
                }
            }
        }
    }

    record Run(int exit, List<String> lines, boolean sawUntil) {
    }

    /** Runs one command line in bash from the repository's root; with {@code until}, stops it once that text appears. */
    private static Run run(String commandLine, String until) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", commandLine.replace("/tmp/", SCRATCH)).directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().put("BPF_NO_BUILD", "1");
        Process process = builder.start();
        process.getOutputStream().close();
        StringBuilder output = new StringBuilder();
        boolean[] sawUntil = {false};
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (InputStream in = process.getInputStream()) {
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) > 0;) {
                    synchronized (output) {
                        output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                        if (until != null && output.indexOf(until) >= 0) {
                            sawUntil[0] = true;
                            output.notifyAll();
                        }
                    }
                }
            } catch (IOException e) {
                // the process was stopped; what it printed so far is kept
            }
        });
        try {
            if (until != null) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
                synchronized (output) {
                    while (!sawUntil[0] && process.isAlive() && System.nanoTime() < deadline) {
                        output.wait(200);
                    }
                }
            } else if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                fail(commandLine + " did not end within " + TIMEOUT_SECONDS + " s");
            }
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(30));
        }
        List<String> lines = new ArrayList<>();
        synchronized (output) {
            for (String line : output.toString().replace(SCRATCH, "/tmp/").split("\n", -1)) {
                if (SETUP_NOTICES.stream().noneMatch(line::startsWith)) {
                    lines.add(line);
                }
            }
        }
        if (!lines.isEmpty() && lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        return new Run(until != null ? -1 : process.exitValue(), lines, sawUntil[0]);
    }
}
