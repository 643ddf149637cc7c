package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.HexFormat;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

import com.sun.management.ThreadMXBean;

/**
 * A run through the Context API allocates nothing on the Java heap once warm: the run state, its region
 * table, the native run block and the context's memory are reused run after run. Measured as the host calls
 * it, over executeRepeated with two repeat counts, so the one result Value of each call cancels out and what
 * remains is what each run allocates: with the repeats in one set-up, and with each set up as a single run is.
 */
class PerRunAllocationTest {
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** A short loop over a 64-byte input, summing its bytes; r0 is large, so a boxed result would allocate. */
    private static final String SHORT_LOOP = """
                    mov %r0, 0x12345678
                    lsh %r0, 20
                    mov %r3, 0
                    loop:
                    jge %r3, %r2, done
                    mov %r4, %r1
                    add %r4, %r3
                    ldxb %r5, [%r4+0]
                    add %r0, %r5
                    add %r3, 1
                    ja loop
                    done:
                    exit
                    """;

    /** An XDP program that checks the Ethernet header's bounds and passes IPv4 (EtherType 0x0800) packets. */
    private static final String XDP_PARSER = """
                    ldxw %r2, [%r1+0]
                    ldxw %r3, [%r1+4]
                    mov %r4, %r2
                    add %r4, 14
                    jgt %r4, %r3, drop
                    ldxh %r5, [%r2+12]
                    jne %r5, 0x8, drop
                    mov %r0, 2
                    exit
                    drop:
                    mov %r0, 1
                    exit
                    """;

    private static byte[] packet() {
        byte[] packet = new byte[54];
        packet[12] = 0x08;
        return packet;
    }

    private static byte[] input() {
        byte[] input = new byte[64];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) (i * 7 + 3);
        }
        return input;
    }

    /**
     * Bytes the calling thread allocates per run of {@code program} over {@code input} in steady state: measured
     * again until no run allocates or a minute has passed, since the interpreter's runs allocate their frames
     * until Truffle has compiled the program (on a loaded machine that may take many seconds).
     */
    private static double bytesPerRun(Value program, Object input) {
        double best = Double.MAX_VALUE;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (best >= 1 && System.nanoTime() < deadline) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            program.invokeMember("executeRepeated", input, 1_000);
            long middle = THREADS.getCurrentThreadAllocatedBytes();
            program.invokeMember("executeRepeated", input, 21_000);
            long after = THREADS.getCurrentThreadAllocatedBytes();
            best = Math.min(best, ((after - middle) - (middle - before)) / 20_000.0);
        }
        return best;
    }

    private static void assertNoAllocationPerRun(String contextType, String asm, Object input, long expected) {
        assertNoAllocationPerRun(contextType, Source.newBuilder("bpf", asm, "alloc.s").mimeType(BpfRunner.ASM_MIME).buildLiteral(), "alloc", input, expected);
    }

    private static void assertNoAllocationPerRun(String contextType, Source source, String name, Object input, long expected) {
        for (String engine : List.of("interpreter", "native")) {
            // Repeats in one set-up (as bench runs them), and each set up as a single run through the Context API is.
            for (String oneSetUp : List.of("true", "false")) {
                try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).option("bpf.Context", contextType)
                                .option("bpf.RepeatInOneSetUp", oneSetUp).option("engine.BackgroundCompilation", "false").build()) {
                    Value program = context.eval(source).getMember(name);
                    assertEquals(expected, program.execute(input).asLong(), engine);
                    double bytes = bytesPerRun(program, input);
                    // Any object is at least 16 bytes: under one byte per run means no run allocated one.
                    assertTrue(bytes < 1, engine + (oneSetUp.equals("true") ? ", repeats in one set-up" : ", each run set up") + " allocates " + bytes + " bytes per run");
                }
            }
        }
    }

    @Test
    void aRawMemoryRunAllocatesNothingOnEitherEngine() {
        byte[] input = input();
        long sum = 0x12345678L << 20;
        for (byte b : input) {
            sum += b & 0xff;
        }
        assertNoAllocationPerRun("raw", SHORT_LOOP, input, sum);
    }

    @Test
    void anXdpPacketRunAllocatesNothingOnEitherEngine() {
        assertNoAllocationPerRun("xdp", XDP_PARSER, packet(), 2);
    }

    /** The example parser counts packets per protocol in an array map: its helper call allocates nothing either. */
    @Test
    void theExampleXdpParserWithItsMapLookupAllocatesNothing() throws IOException {
        Source object = Source.newBuilder("bpf", new File(KernelEngineTest.ROOT.resolve("examples/c/xdp_parser.o").toString())).build();
        byte[] tcp = HexFormat.of().parseHex("00000000000200000000000108004500002800000000400600000a0000010a00000230390050000000000000000050020000ffff0000");
        assertNoAllocationPerRun("xdp", object, "xdp_parse", tcp, 2);
    }

    /**
     * The hash-map benchmark looks up and updates a hash map on every input byte: its helpers read each key where
     * the program keeps it, so a run allocates nothing (each copied its key before).
     */
    @Test
    void theHashMapBenchmarksLookupsAndUpdatesAllocateNothing() throws IOException {
        assertBenchmarkAllocatesNothing("hashmap");
    }

    /** Benchmark {@code name} of {@code examples/benchmarks} over {@link #input()}, its result taken from a first run. */
    private static void assertBenchmarkAllocatesNothing(String name) throws IOException {
        Source object = Source.newBuilder("bpf", new File(KernelEngineTest.ROOT.resolve("examples/benchmarks/bench_" + name + ".o").toString())).build();
        byte[] input = input();
        long first;
        try (Context context = BpfRunner.contextBuilder().option("bpf.Context", "raw").build()) {
            first = context.eval(object).getMember(name).execute(input).asLong();
        }
        assertNoAllocationPerRun("raw", object, name, input, first);
    }

    /**
     * The call benchmark makes thousands of bpf-to-bpf calls per run: the interpreter passes their registers and
     * result through the run state, so no call boxes anything (each boxed seven values and its result before).
     */
    @Test
    void theCallBenchmarksBpfToBpfCallsAllocateNothing() throws IOException {
        assertBenchmarkAllocatesNothing("calls");
    }

    /**
     * The tail-call benchmark runs a chain of 33 programs: the interpreter enters each tail call from the loop of
     * the function that began the chain, with every target inlined there (nested, the calls past the inliner's
     * recursion limit allocated their argument arrays, 320 bytes a run).
     */
    @Test
    void theTailCallBenchmarksChainOfTailCallsAllocatesNothing() throws IOException {
        assertBenchmarkAllocatesNothing("tailchain");
    }
}
