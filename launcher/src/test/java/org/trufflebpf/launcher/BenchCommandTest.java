package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bpf bench}: a line per engine with runs, time per run and the instructions each run executes. */
class BenchCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return BpfCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void bothEnginesReportTheSameInstructionsPerRun(@TempDir Path dir) throws IOException {
        Path program = dir.resolve("sum.s");
        // Sums 16 bytes: 2 set-up, 7 per byte, then the last jge and exit: 116 instructions per run.
        Files.writeString(program, """
                        mov %r0, 0
                        mov %r3, 0
                        loop:
                        jge %r3, %r2, done
                        mov %r4, %r1
                        add %r4, %r3
                        ldxb %r5, [%r4]
                        add %r0, %r5
                        add %r3, 1
                        ja loop
                        done:
                        exit
                        """);
        Path data = dir.resolve("data.bin");
        Files.write(data, new byte[16]);
        assertEquals(0, run("bench", program.toString(), "--data", data.toString(), "--warmup", "0", "--seconds", "0.05"),
                        err.toString(StandardCharsets.UTF_8));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("engine +runs +ns/run +insns/run +M insns/s"), lines.get(0));
        assertTrue(lines.get(1).matches("interpreter +\\d+ +[\\d.]+ +116 +[\\d.]+"), lines.get(1));
        assertTrue(lines.get(2).matches("native +\\d+ +[\\d.]+ +116 +[\\d.]+"), lines.get(2));
    }

    @Test
    void aBadDurationIsAUsageError(@TempDir Path dir) throws IOException {
        Path program = dir.resolve("one.s");
        Files.writeString(program, "mov %r0, 1\nexit\n");
        assertEquals(BpfCommand.EXIT_USAGE, run("bench", program.toString(), "--seconds", "forever"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("expected seconds between 0 and 3600, not 'forever'"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theSuiteWithPeersListsEveryProgramOnEveryEngineAndSaysWhichPeersAreAbsent(@TempDir Path dir) throws IOException {
        Path suite = examples().resolve("benchmarks");
        Path svg = dir.resolve("ratios.svg");
        assertEquals(0, run("bench", "--suite", suite.toString(), "--peers", "--warmup", "0", "--seconds", "0.01", "--rounds", "1", "--svg", svg.toString()),
                        err.toString(StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        List<String> programs = Files.readAllLines(suite.resolve("suite.txt")).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> l.split("\\s+")[0]).toList();
        assertEquals(11, programs.size(), programs.toString());
        boolean gcc = onPath("gcc");
        for (String program : programs) {
            for (String engine : List.of("interpreter", "native")) {
                assertTrue(printed.lines().anyMatch(l -> l.matches(program + " +" + engine + " +\\d+ .*")), program + " on " + engine + ":\n" + printed);
            }
            // The gcc peer runs every program host.c has an entry for; the XDP parser has none and is listed as skipped.
            String gccLine = program.equals("xdp_parse") ? "skipped: xdp_parse on gcc-O2: host.c has no bench_xdp_parse" : null;
            if (gcc && gccLine == null) {
                assertTrue(printed.lines().anyMatch(l -> l.matches(program + " +gcc-O2 +\\d+ .* 1\\.00 .*")), program + " on gcc:\n" + printed);
            } else if (gcc) {
                assertTrue(printed.contains(gccLine), printed);
            }
            // The kernel runs the XDP parser; it has no type for the raw-memory programs, and says so.
            assertTrue(printed.lines().anyMatch(l -> l.matches(program + " +kernel +\\d+ .*") || l.startsWith("skipped: " + program + " on kernel: ")), program + ":\n" + printed);
        }
        // The kernel is the reference of its own column; it has no Java heap allocation to report, our engines do.
        assertTrue(printed.lines().anyMatch(l -> l.matches("xdp_parse +kernel +\\d+ .* 1\\.00 +-")), printed);
        assertTrue(printed.lines().anyMatch(l -> l.matches("xdp_parse +native +\\d+ .* \\d+\\.\\d")), printed);
        if (System.getenv("UBPF_LIB") == null) {
            assertTrue(printed.contains("absent: ubpf-jit and ubpf-interp: UBPF_LIB is not set"), printed);
        }
        if (!gcc) {
            assertTrue(printed.contains("absent: gcc-O2: gcc is not installed"), printed);
        }
        assertTrue(!printed.contains("MISMATCH"), printed);
        // The native JIT's time per instruction, for each program the native engine loaded.
        // Warm (after untimed compiles) and in the first compiles after the load.
        for (String program : programs) {
            assertTrue(printed.lines().anyMatch(l -> l.matches("jit time per instruction: " + program + " +native \\d+ ns \\(first compiles \\d+ ns\\).* \\(\\d+ instructions\\)")),
                            program + ":\n" + printed);
        }
        // What a loaded program holds: heap on both engines, and whole pages of code on the native one.
        for (String program : programs) {
            String line = printed.lines().filter(l -> l.startsWith("memory per loaded program: " + program + " ")).findFirst().orElse(null);
            assertNotNull(line, program + ":\n" + printed);
            Matcher figures = Pattern
                            .compile("memory per loaded program: " + program + " +interpreter \\d+\\.\\d KiB heap, native \\d+\\.\\d KiB heap \\+ (\\d+)\\.0 KiB code").matcher(line);
            assertTrue(figures.matches(), line);
            int codeKiB = Integer.parseInt(figures.group(1));
            assertTrue(codeKiB >= 4 && codeKiB % 4 == 0, line);
        }
        String chart = Files.readString(svg);
        assertTrue(chart.startsWith("<svg") && chart.contains(">fnv1a</text>") && chart.contains(">native</text>"), chart);
    }

    private static Path examples() {
        Path here = Path.of("").toAbsolutePath();
        while (here != null && !Files.isDirectory(here.resolve("examples/benchmarks"))) {
            here = here.getParent();
        }
        assertTrue(here != null, "examples/benchmarks not found above the working directory");
        return here.resolve("examples");
    }

    private static boolean onPath(String command) {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, command))) {
                return true;
            }
        }
        return false;
    }
}
