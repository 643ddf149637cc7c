package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bpf run with GraalVM's tools, and errors that name C lines. */
class ToolsCommandTest {
    private static final Path EXAMPLES = Path.of("..", "examples", "c").toAbsolutePath().normalize();

    private record Result(int exit, String out, String err) {
    }

    private static Result bpf(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = BpfCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aDebuggerPortInUseIsRefusedInOneLineBeforeTheRun() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            for (String option : List.of("--dap=" + address, "--inspect=" + address)) {
                Result r = bpf("run", EXAMPLES.resolve("xdp_parser.o").toString(), option, "--packet", "00".repeat(64));
                assertEquals(1, r.exit(), r.toString());
                assertEquals("", r.out(), "the program did not run: " + r);
                assertEquals(1, r.err().lines().count(), r.err());
                assertTrue(r.err().contains(option.substring(0, option.indexOf('=')) + ": cannot listen on " + address + " ("), r.err());
            }
        }
    }

    @Test
    void cpuSamplerNamesTheCFunctionAndItsLinesOfALongRun() {
        String packet = "ab".repeat(64);
        Result r = bpf("run", EXAMPLES.resolve("../benchmarks/crc32.o").toString(), "--packet", packet, "--repeat", "20000", "--cpusampler");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("Sampling Histogram"), r.out());
        // The sampler's location is the function's span in its C file: crc32 covers lines 13 to 26 of crc32.c.
        assertTrue(r.out().lines().anyMatch(line -> line.strip().startsWith("crc32 ") && line.contains("crc32.c~13-26")), r.out());
        // The line sampler's most sampled line is the inner bit loop's body, crc32.c:23 (8 rounds per byte).
        List<String> lines = r.out().lines().toList();
        int header = lines.indexOf(lines.stream().filter(line -> line.startsWith("BPF line samples (")).findFirst().orElseThrow(() -> new AssertionError(r.out())));
        assertTrue(lines.get(header + 1).strip().startsWith("crc32.c:23 "), r.out());
    }

    @Test
    void coverageReportsExactlyTheLinesTheProgramRan(@TempDir Path dir) throws IOException {
        // count_lines.c over 8 bytes whose first is 3: line 14 (the function's first instruction), 16, 17, 18
        // once; the loop test (21) once on entry and after each of the 3 iterations of its body (22); then 23 to
        // 26 and the exit (28) once. Line 19 has no instruction of its own (clang sets r0 = 0 at line 14).
        Path lcov = dir.resolve("long.info");
        Result r = bpf("run", EXAMPLES.resolve("count_lines.o").toString(), "--packet", "0301020300000000", "--maps", "--coverage=" + lcov);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("map total (") && r.out().contains("[0] = 6"), "the program ran as without coverage: " + r.out());
        assertEquals(List.of("TN:", "SF:" + EXAMPLES.resolve("count_lines.c"), "FN:14,count_lines", "FNDA:1,count_lines", "FNF:1", "FNH:1", "DA:14,1", "DA:16,1",
                        "DA:17,1", "DA:18,1", "DA:21,4", "DA:22,3", "DA:23,1", "DA:24,1", "DA:25,1", "DA:26,1", "DA:28,1", "LF:11", "LH:11", "end_of_record"),
                        Files.readAllLines(lcov));

        // Four bytes are too short: lines 14, 16, 17, 18 and the exit run; the loop and the map update do not.
        Path shortRun = dir.resolve("short.info");
        r = bpf("run", EXAMPLES.resolve("count_lines.o").toString(), "--packet", "03010203", "--coverage=" + shortRun);
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("DA:14,1", "DA:16,1", "DA:17,1", "DA:18,1", "DA:21,0", "DA:22,0", "DA:23,0", "DA:24,0", "DA:25,0", "DA:26,0", "DA:28,1", "LF:11",
                        "LH:5"), Files.readAllLines(shortRun).stream().filter(line -> line.startsWith("DA:") || line.startsWith("L")).toList());
    }

    @Test
    void toolsRefuseTheNativeEngine() {
        Result r = bpf("run", EXAMPLES.resolve("../benchmarks/crc32.o").toString(), "--packet", "00".repeat(20), "--engine", "native", "--cpusampler");
        assertEquals(BpfCommand.EXIT_USAGE, r.exit(), r.toString());
        assertTrue(r.err().contains("--inspect, --dap, --cpusampler and --coverage see the interpreter engine only, not --engine native"), r.err());
    }

    @Test
    void aRunTimeFaultNamesItsCLine() {
        Result r = bpf("run", EXAMPLES.resolve("faulty/line_errors.o").toString(), "--program", "out_of_bounds", "--unverified", "--packet", "00".repeat(20));
        assertEquals(BpfCommand.EXIT_REJECTED, r.exit(), r.toString());
        assertEquals("line_errors.o: line_errors.c:21: function 'out_of_bounds': insn 10 'ldxdw %r0, [%r1+24]': read of 8 bytes at map 'values'+24 "
                        + "is out of bounds: map 'values' is 8 bytes", r.err().strip());
    }
}
