package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * bpf_probe_read* against the memory a context is given (bpf.ProbeMemory), on both engines, with the results
 * kernel/trace/bpf_trace.c and mm/maccess.c give on x86-64: the kernel range (-ERANGE below it), the user range
 * (-EFAULT outside it), -EFAULT and a zeroed destination for unmapped bytes, and the _str variants' NUL,
 * length and truncation. The destination is a 16-byte stack buffer filled with 0xff before the call.
 */
class ProbeReadTest {
    private static final String[] ENGINES = {"interpreter", "native"};
    private static final String MEMORY = """
                    0xffff888000001000 48656c6c6f00414243   # "Hello\\0ABC"
                    0xffff888000002000 0102030405060708
                    0x400000 7573657200                   # "user\\0"
                    0x7fffffffeff8 4142434445464748       # up to TASK_SIZE_MAX
                    """;

    /** A call of {@code helper}(r10-16, size, address); r0 = its result, or the buffer's word at {@code read} after. */
    record Case(String name, String helper, int size, long address, int read, long result, long word) {
    }

    static List<Case> cases() {
        long k = 0xffff888000001000L;
        long k2 = 0xffff888000002000L;
        long top = 0x7fffffffeff8L;
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("kernel read of mapped bytes", "probe_read_kernel", 8, k2, 0, 0, 0x04030201L));
        cases.add(new Case("kernel read of mapped bytes, second word", "probe_read_kernel", 8, k2, 4, 0, 0x08070605L));
        cases.add(new Case("kernel read running past the region: -EFAULT, zeroed", "probe_read_kernel", 8, k2 + 4, 0, -14, 0));
        cases.add(new Case("kernel read of an unmapped address: -EFAULT, zeroed", "probe_read_kernel", 4, k + 0x10000, 0, -14, 0));
        cases.add(new Case("kernel read of a user address: -ERANGE, zeroed", "probe_read_kernel", 4, 0x400000, 0, -34, 0));
        cases.add(new Case("kernel read of size 0 at a user address: -ERANGE all the same (the range is checked first), nothing written", "probe_read_kernel", 0, 0x400000, 0, -34, 0xffffffffL));
        cases.add(new Case("kernel read of size 0 at a kernel address: 0", "probe_read_kernel", 0, k + 0x10000, 0, 0, 0xffffffffL));
        cases.add(new Case("user read", "probe_read_user", 4, 0x400000, 0, 0, 0x72657375L));
        cases.add(new Case("user read of a kernel address: -EFAULT", "probe_read_user", 4, k2, 0, -14, 0));
        cases.add(new Case("user read past TASK_SIZE_MAX: -EFAULT", "probe_read_user", 16, top, 0, -14, 0));
        cases.add(new Case("legacy read of a user address reads user memory", "probe_read", 4, 0x400000, 0, 0, 0x72657375L));
        cases.add(new Case("legacy read of a kernel address reads kernel memory", "probe_read", 4, k2, 0, 0, 0x04030201L));
        cases.add(new Case("kernel string: length with the NUL", "probe_read_kernel_str", 16, k, 0, 6, 0x6c6c6548L));
        cases.add(new Case("kernel string: the NUL is copied, the bytes after are left", "probe_read_kernel_str", 16, k, 4, 6, 0xffff006fL));
        cases.add(new Case("kernel string cut to the size: size, last byte NUL", "probe_read_kernel_str", 4, k, 0, 4, 0x006c6548L));
        cases.add(new Case("kernel string of size 0: 0", "probe_read_kernel_str", 0, k, 0, 0, 0xffffffffL));
        cases.add(new Case("kernel string running into unmapped bytes: -EFAULT, zeroed", "probe_read_kernel_str", 16, k2, 0, -14, 0));
        cases.add(new Case("kernel string at a user address: -ERANGE", "probe_read_kernel_str", 16, 0x400000, 0, -34, 0));
        cases.add(new Case("user string", "probe_read_user_str", 16, 0x400000, 0, 5, 0x72657375L));
        cases.add(new Case("user string whose size reaches past TASK_SIZE_MAX: -EFAULT", "probe_read_user_str", 16, top, 0, -14, 0));
        cases.add(new Case("user string cut to the size below TASK_SIZE_MAX", "probe_read_user_str", 8, top, 4, 8, 0x00474645L));
        cases.add(new Case("legacy string of a user address", "probe_read_str", 16, 0x400000, 0, 5, 0x72657375L));
        cases.add(new Case("legacy string of a kernel address", "probe_read_str", 16, k, 0, 6, 0x6c6c6548L));
        return cases;
    }

    private static String program(Case c, boolean returnWord) {
        return String.format("""
                        .program main raw
                            stdw [%%r10-16], -1
                            stdw [%%r10-8], -1
                            mov %%r1, %%r10
                            add %%r1, -16
                            mov %%r2, %d
                            lddw %%r3, 0x%x
                            call %s
                        %s    exit
                        """, c.size(), c.address(), c.helper(), returnWord ? String.format("    ldxw %%r0, [%%r10-%d]%n", 16 - c.read()) : "");
    }

    @TestFactory
    Stream<DynamicTest> eachProbeGivesTheKernelsResult() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases()) {
            for (String engine : ENGINES) {
                tests.add(DynamicTest.dynamicTest(c.name() + " (" + engine + ")", () -> {
                    try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).option("bpf.ProbeMemory", MEMORY).build()) {
                        long result = context.eval(Source.create("bpf", program(c, false))).getMember("main").execute().asLong();
                        assertEquals(c.result(), result, "r0");
                        long word = context.eval(Source.create("bpf", program(c, true))).getMember("main").execute().asLong();
                        assertEquals(c.word(), word, "the buffer's word at " + c.read());
                    }
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void withoutProbeMemoryEveryKernelReadFaults() throws IOException {
        Case c = cases().get(0);
        try (Context context = Context.newBuilder("bpf").build()) {
            assertEquals(-14, context.eval(Source.create("bpf", program(c, false))).getMember("main").execute().asLong());
        }
    }

    @Test
    void theLegacyProbeReadIsForTracingProgramsOnly() {
        String tc = program(cases().get(10), false).replace(".program main raw", ".program main tc");
        try (Context context = Context.newBuilder("bpf").build()) {
            PolyglotException e = assertThrows(PolyglotException.class, () -> context.eval(Source.create("bpf", tc)));
            assertTrue(e.getMessage().contains("probe_read"), e.getMessage());
        }
    }

    @Test
    void aBadRegionIsOneLineNamingItsLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Context.newBuilder("bpf").option("bpf.ProbeMemory", "0x1000 0102\n0x1001 03\n").build().close());
        assertTrue(e.getMessage().contains("probe memory line 2: overlaps the region at 0x1000"), e.getMessage());
    }

    @Test
    void bpfRunTakesTheMemoryFromAFile() throws IOException {
        Path program = Files.createTempFile("probe", ".s");
        Path memory = Files.createTempFile("probe", ".mem");
        try {
            Files.writeString(program, program(cases().get(12), false));
            Files.writeString(memory, MEMORY);
            KernelEngineTest.Outcome run = KernelEngineTest.bpf("run", program.toString(), "--probe-memory", memory.toString());
            assertEquals(0, run.exit(), run.err());
            assertTrue(run.out().startsWith("r0 = 6 (0x6)"), run.out());
        } finally {
            Files.delete(program);
            Files.delete(memory);
        }
    }
}
