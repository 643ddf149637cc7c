package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trufflebpf.kernel.KernelEngineService;
import org.trufflebpf.launcher.BpfCommand;

/** The host kernel as an engine: the README's XDP parser, a kernel verifier rejection, the disabled path, fds. */
class KernelEngineTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String README_PACKET = "00000000000200000000000108004500002800000000400600000a0000010a00000230390017000000000000000050020000ffff0000";

    /** Skips the calling test, with the engine's one-line reason, where bpf(2) is refused. */
    static void assumeKernel() {
        String reason = new KernelEngineService().unavailableReason();
        assumeTrue(reason == null && !"1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL")), () -> reason == null ? "TRUFFLEBPF_NO_KERNEL=1" : reason);
    }

    record Outcome(int exit, String out, String err) {
    }

    static Outcome bpf(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = BpfCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void xdpParserDropsTheReadmePacketAndCountsItTheSameOnAllThreeEngines() {
        assumeKernel();
        String file = ROOT.resolve("examples/c/xdp_parser.o").toString();
        Outcome kernel = bpf("run", file, "--maps", "--packet", README_PACKET, "--engine", "kernel");
        assertEquals(0, kernel.exit(), kernel.err());
        assertTrue(kernel.out().startsWith("r0 = 1 (0x1) XDP_DROP\n"), kernel.out());
        assertTrue(kernel.out().contains("  [6] = 1\n"), kernel.out());
        for (String engine : new String[] {"interpreter", "native"}) {
            Outcome other = bpf("run", file, "--maps", "--packet", README_PACKET, "--engine", engine);
            assertEquals(kernel, other, engine + " against kernel");
        }
    }

    /** A hash map's lookup result read without a NULL check (hash: recent kernels know a constant in-range array lookup is not NULL). */
    static final String NULL_DEREFERENCE = """
                    .map counts hash key=4 value=8 entries=1
                    .program prog xdp
                        stw [%r10-4], 0
                        lddw %r1, map:counts
                        mov %r2, %r10
                        add %r2, -4
                        call 1
                        ldxdw %r0, [%r0+0]
                        exit
                    """;

    @Test
    void aMapValueDereferencedWithoutNullCheckIsRejectedByTheKernelInOneLine() {
        assumeKernel();
        // Verify=false: the kernel's verdict alone decides here, whatever ours is.
        try (Context context = Context.newBuilder("bpf").option("bpf.Engine", "kernel").option("bpf.Verify", "false").build()) {
            PolyglotException e = Assertions.assertThrows(PolyglotException.class,
                            () -> context.eval(Source.newBuilder("bpf", NULL_DEREFERENCE, "nullcheck.s").buildLiteral()));
            assertTrue(e.isGuestException(), e.getMessage());
            assertTrue(e.getMessage().contains("R0 invalid mem access 'map_value_or_null'"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }

    @Test
    void verifyWithKernelPrintsBothVerdictsAndTheKernelsWholeLog(@TempDir Path dir) throws IOException {
        assumeKernel();
        Path file = Files.writeString(dir.resolve("nullcheck.s"), NULL_DEREFERENCE);
        Outcome verify = bpf("verify", "--kernel", file.toString());
        assertEquals(1, verify.exit(), verify.out() + verify.err());
        assertTrue(verify.out().contains("ours:   prog: "), verify.out());
        assertTrue(verify.out().contains("kernel: prog: rejected: ") && verify.out().contains("R0 invalid mem access 'map_value_or_null'"), verify.out());
        // The whole log: the verifier's state at the faulting load, before the reason.
        assertTrue(verify.out().contains("call bpf_map_lookup_elem#1"), verify.out());
    }

    @Test
    void benchOnTheKernelPrintsTheKernelsTimePerRunAndNoInstructionCount() {
        assumeKernel();
        Outcome bench = bpf("bench", ROOT.resolve("examples/c/xdp_parser.o").toString(), "--engine", "kernel", "--packet", README_PACKET, "--warmup", "0",
                        "--seconds", "0.2");
        assertEquals(0, bench.exit(), bench.err());
        Matcher line = Pattern.compile("(?m)^kernel\\s+(\\d+)\\s+(\\d+)\\s+n/a\\s+n/a$").matcher(bench.out());
        assertTrue(line.find(), bench.out());
        assertTrue(Long.parseLong(line.group(1)) > 0 && Long.parseLong(line.group(2)) > 0, bench.out());
    }

    @Test
    void executeCountedOnTheKernelGivesR0AndAnUnknownInstructionCount() {
        assumeKernel();
        try (Context context = Context.newBuilder("bpf").option("bpf.Engine", "kernel").build()) {
            Value program = context.eval(Source.newBuilder("bpf", new File(ROOT.toFile(), "examples/c/xdp_parser.o")).buildLiteral()).getMember("xdp_parse");
            Value counted = program.invokeMember("executeCounted", (Object) HexFormat.of().parseHex(README_PACKET));
            assertEquals(1, counted.getArrayElement(0).asLong());
            assertEquals(-1, counted.getArrayElement(1).asLong(), "BPF_PROG_TEST_RUN counts no instructions: -1, not 0");
        }
    }

    @Test
    void aPerCpuCounterAndAHashEntryWrittenInTheKernelReadBackLikeOurEngines(@TempDir Path dir) throws IOException {
        assumeKernel();
        // Adds 5 to percpu_array[0] (the run is pinned to bpf.Cpu) and stores the packet's first byte under key 7.
        Path file = Files.writeString(dir.resolve("percpu.s"), """
                        .map pc percpu_array key=4 value=8 entries=2
                        .map h hash key=4 value=8 entries=4
                        .program prog xdp
                            mov %r6, %r1
                            stw [%r10-4], 0
                            lddw %r1, map:pc
                            mov %r2, %r10
                            add %r2, -4
                            call 1
                            jeq %r0, 0, out
                            ldxdw %r1, [%r0+0]
                            add %r1, 5
                            stxdw [%r0+0], %r1
                            ldxw %r2, [%r6+0]
                            ldxw %r3, [%r6+4]
                            mov %r4, %r2
                            add %r4, 1
                            jgt %r4, %r3, out
                            ldxb %r1, [%r2+0]
                            stxdw [%r10-16], %r1
                            stw [%r10-4], 7
                            lddw %r1, map:h
                            mov %r2, %r10
                            add %r2, -4
                            mov %r3, %r10
                            add %r3, -16
                            mov %r4, 0
                            call 2
                        out:
                            mov %r0, 2
                            exit
                        """);
        String packet = "ab" + README_PACKET.substring(2);
        Outcome kernel = bpf("run", file.toString(), "--maps", "--packet", packet, "--engine", "kernel");
        assertEquals(0, kernel.exit(), kernel.err());
        assertTrue(kernel.out().contains("[0] = per CPU [5 (0x5)]"), kernel.out());
        assertTrue(kernel.out().contains("7 (0x7) => 171 (0xab)"), kernel.out());
        for (String engine : new String[] {"interpreter", "native"}) {
            assertEquals(kernel, bpf("run", file.toString(), "--maps", "--packet", packet, "--engine", engine), engine + " against kernel");
        }
    }

    @Test
    void aDisabledKernelEngineSaysSoInOneLineAndOtherEnginesStillRun() {
        try (Context context = Context.newBuilder("bpf").option("bpf.Engine", "kernel").option("bpf.KernelEngine", "disabled").build()) {
            PolyglotException e = Assertions.assertThrows(PolyglotException.class,
                            () -> context.eval(Source.newBuilder("bpf", new File(ROOT.toFile(), "examples/c/xdp_parser.o")).buildLiteral()));
            assertTrue(e.getMessage().contains("kernel engine unavailable: disabled"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
        Outcome interpreter = bpf("run", ROOT.resolve("examples/c/xdp_parser.o").toString(), "--packet", README_PACKET);
        assertEquals(0, interpreter.exit(), interpreter.err());
        assertTrue(interpreter.out().startsWith("r0 = 1 (0x1) XDP_DROP\n"), interpreter.out());
    }

    @Test
    void twoHundredLoadRunCloseCyclesLeaveNoFileDescriptorOrRingMappingOpen() throws IOException {
        assumeKernel();
        byte[] packet = HexFormat.of().parseHex(README_PACKET);
        // BTF, typed maps, func_info (xdp_parser); a ring buffer mapped and read after each run (ring_events).
        Source parser = Source.newBuilder("bpf", new File(ROOT.toFile(), "examples/c/xdp_parser.o")).build();
        Source ring = Source.newBuilder("bpf", new File(ROOT.toFile(), "examples/c/ring_events.o")).build();
        // One cycle first, so that lazily opened JVM files (jars, libraries) are open before counting.
        cycle(parser, ring, packet);
        long fds = openFds();
        long mappings = bpfMappings();
        for (int i = 0; i < 200; i++) {
            cycle(parser, ring, packet);
        }
        assertEquals(fds, openFds(), "open fds after 200 kernel load/run/close cycles");
        assertEquals(mappings, bpfMappings(), "bpf map mappings after 200 kernel load/run/close cycles");
    }

    private static void cycle(Source parser, Source ring, byte[] packet) throws IOException {
        long mappingsBefore = bpfMappings();
        try (Context context = Context.newBuilder("bpf").option("bpf.Engine", "kernel").build()) {
            Value module = context.eval(parser);
            assertEquals(1, module.getMember("xdp_parse").execute((Object) packet).asLong());
            // The kernel's verifier log: the program ran in the kernel, not on a fallback engine.
            assertTrue(module.getMember("xdp_parse").getMember("kernelVerifierLog").asString().contains("processed "));
            assertTrue(module.getMember("xdp_parse").getMember("kernelBtf").asString().startsWith("loaded; "));
            Value events = context.eval(ring);
            assertEquals(2, events.getMember("xdp_events").execute((Object) packet).asLong());
            assertEquals(1, events.getMember("events").invokeMember("consume").getArraySize());
            // The ring is mapped while the context lives (consumer page, producer page and data).
            assertEquals(mappingsBefore + 2, bpfMappings(), "the ring's two mappings");
        }
    }

    private static long openFds() throws IOException {
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.count();
        }
    }

    /** Mappings of bpf objects in this process (a mapped ring buffer shows as anon_inode:bpf-map). */
    private static long bpfMappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(line -> line.contains("bpf")).count();
    }
}
