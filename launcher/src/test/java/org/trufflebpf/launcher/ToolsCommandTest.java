package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

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
    void cpuSamplerNamesTheCFunctionAndItsLinesOfALongRun() {
        String packet = "ab".repeat(1500);
        Result r = bpf("run", EXAMPLES.resolve("crc32.o").toString(), "--packet", packet, "--repeat", "300", "--cpusampler");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("Sampling Histogram"), r.out());
        // The sampler's location is the function's span in its C file: crc32 covers lines 9 to 21 of crc32.c.
        assertTrue(r.out().lines().anyMatch(line -> line.strip().startsWith("crc32 ") && line.contains("crc32.c~9-21")), r.out());
    }

    @Test
    void toolsRefuseTheNativeEngine() {
        Result r = bpf("run", EXAMPLES.resolve("crc32.o").toString(), "--packet", "00".repeat(20), "--engine", "native", "--cpusampler");
        assertEquals(BpfCommand.EXIT_USAGE, r.exit(), r.toString());
        assertTrue(r.err().contains("--inspect, --dap and --cpusampler see the interpreter engine only, not --engine native"), r.err());
    }

    @Test
    void aRunTimeFaultNamesItsCLine() {
        Result r = bpf("run", EXAMPLES.resolve("line_errors.o").toString(), "--program", "out_of_bounds", "--unverified", "--packet", "00".repeat(20));
        assertEquals(BpfCommand.EXIT_REJECTED, r.exit(), r.toString());
        assertTrue(r.err().startsWith("line_errors.o: line_errors.c:21: function 'out_of_bounds': insn 10 'ldxdw %r0, [%r1+24]': read of 8 bytes at "), r.err());
        assertTrue(r.err().strip().endsWith("is out of bounds of map 'values' (offset 24, size 8)"), r.err());
    }
}
