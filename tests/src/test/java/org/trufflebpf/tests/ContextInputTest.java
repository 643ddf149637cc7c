package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trufflebpf.kernel.KernelEngineService;

/**
 * Context fields as run input (BPF_PROG_TEST_RUN's ctx_in, {@code bpf.ContextIn}, {@code executeWithContext},
 * {@code bpf run --ctx}) and the context handed back (ctx_out), over examples/c/context_in.o: the same r0, packet,
 * maps and context out on the interpreter, the native engine and, where bpf(2) works, the kernel.
 */
class ContextInputTest {
    private static final Path OBJECT = KernelEngineTest.ROOT.resolve("examples/c/context_in.o");
    /** An Ethernet frame of 64 bytes with EtherType 0x88b5 (local experimental: no network header expected). */
    private static final byte[] PACKET = packet(64);
    private static final int ETHERNET_HEADER = 14;

    private static byte[] packet(int length) {
        byte[] bytes = new byte[length];
        bytes[12] = (byte) 0x88;
        bytes[13] = (byte) 0xb5;
        for (int i = 14; i < length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    /** A struct __sk_buff setting every field ctx_in may set. */
    private static byte[] skbContext() {
        ByteBuffer c = ByteBuffer.allocate(192).order(ByteOrder.LITTLE_ENDIAN);
        c.putInt(8, 7); // mark
        c.putInt(32, 3); // priority
        c.putInt(36, 5); // ingress_ifindex
        c.putInt(40, 1); // ifindex: the loopback device
        c.putInt(48, 11).putInt(52, 12).putInt(56, 13).putInt(60, 14).putInt(64, 15); // cb[0..4]
        c.putLong(152, 5000); // tstamp
        c.putInt(160, 100); // wire_len
        c.putInt(164, 2); // gso_segs
        c.putInt(176, 1400); // gso_size
        c.putLong(184, 77); // hwtstamp
        return c.array();
    }

    private static byte[] xdpContext(int ingressIfindex, int rxQueue) {
        ByteBuffer c = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        c.putInt(4, PACKET.length); // data_end
        c.putInt(12, ingressIfindex);
        c.putInt(16, rxQueue);
        return c.array();
    }

    /** What one engine's run gives: r0, the packet after it, the maps, the context out; or the run's error. */
    record Run(String r0, String packet, String maps, String contextOut) {
    }

    private static List<String> engines() {
        List<String> engines = new ArrayList<>(List.of("interpreter", "native"));
        String reason = new KernelEngineService().unavailableReason();
        if (reason == null && !"1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL"))) {
            engines.add("kernel");
        } else {
            System.out.println("ContextInputTest: two engines only: " + (reason == null ? "TRUFFLEBPF_NO_KERNEL=1" : reason));
        }
        return engines;
    }

    /**
     * Runs {@code program} on {@code engine} over our engines' {@code packet} with {@code ctx} passed to
     * executeWithContext ({@code optionCtx} as bpf.ContextIn). The kernel starts a socket filter's skb after the
     * Ethernet header, ours at the input's first byte (see KernelDifferences): the kernel's run gets a header in front
     * (the first 14 bytes of {@link #PACKET}: zero addresses, EtherType 0x88b5) and only the part after it is compared.
     */
    private static Run run(String engine, String program, byte[] packet, byte[] ctx, byte[] optionCtx) {
        boolean framed = engine.equals("kernel") && program.startsWith("socket");
        byte[] input = packet.clone();
        if (framed) {
            input = new byte[ETHERNET_HEADER + packet.length];
            System.arraycopy(PACKET, 0, input, 0, ETHERNET_HEADER);
            System.arraycopy(packet, 0, input, ETHERNET_HEADER, packet.length);
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(input.length);
        buffer.put(input).clear();
        Context.Builder builder = Context.newBuilder("bpf").option("bpf.Engine", engine)
                        .allowHostAccess(HostAccess.newBuilder().allowBufferAccess(true).allowArrayAccess(true).build());
        if (optionCtx != null) {
            builder.option("bpf.ContextIn", HexFormat.of().formatHex(optionCtx));
        }
        try (Context context = builder.build()) {
            Value module = context.eval(Source.newBuilder("bpf", new File(OBJECT.toString())).buildLiteral());
            Value result = ctx == null ? module.getMember(program).invokeMember("executeWithContext", buffer)
                            : module.getMember(program).invokeMember("executeWithContext", buffer, ctx);
            byte[] after = new byte[buffer.capacity()];
            buffer.get(0, after);
            after = framed ? Arrays.copyOfRange(after, ETHERNET_HEADER, after.length) : after;
            Value out = result.getArrayElement(1);
            String contextOut = "none";
            if (!out.isNull()) {
                byte[] bytes = new byte[(int) out.getBufferSize()];
                out.readBuffer(0, bytes, 0, bytes.length);
                contextOut = HexFormat.of().formatHex(bytes);
            }
            return new Run(Long.toString(result.getArrayElement(0).asLong() & 0xffff_ffffL), HexFormat.of().formatHex(after), maps(module), contextOut);
        } catch (PolyglotException e) {
            return new Run("error: " + e.getMessage(), "", "", "");
        }
    }

    private static String maps(Value module) {
        StringBuilder text = new StringBuilder();
        for (String name : new String[] {"skb_seen", "xdp_seen"}) {
            Value map = module.getMember(name);
            text.append(name).append(':');
            for (long i = 0; i < map.getArraySize(); i++) {
                text.append(' ').append(map.getArrayElement(i).asLong());
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** Runs on every engine, checks they agree, and returns the interpreter's run. */
    private static Run threeWay(String program, byte[] packet, byte[] ctx, byte[] optionCtx) {
        Run interpreter = run("interpreter", program, packet, ctx, optionCtx);
        for (String engine : engines()) {
            assertEquals(interpreter, run(engine, program, packet, ctx, optionCtx), program + ": " + engine + " against the interpreter");
        }
        return interpreter;
    }

    private static long u32(String hex, int offset) {
        return Integer.toUnsignedLong(ByteBuffer.wrap(HexFormat.of().parseHex(hex)).order(ByteOrder.LITTLE_ENDIAN).getInt(offset));
    }

    private static long u64(String hex, int offset) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(hex)).order(ByteOrder.LITTLE_ENDIAN).getLong(offset);
    }

    @Test
    void aTcProgramReadsEveryFieldTheContextInputSetsAndItsWritesComeBackAsTheContextOutOnAllEngines() {
        Run run = threeWay("tc_context", PACKET, skbContext(), null);
        // mark, priority, cb[0..4], ingress_ifindex, ifindex, wire_len, gso_segs, gso_size, tstamp, hwtstamp, len.
        assertTrue(run.maps().startsWith("skb_seen: 7 3 11 12 13 14 15 5 1 100 2 1400 5000 77 64 0\n"), run.maps());
        assertEquals("2", run.r0(), "mark 8 is even: TC_ACT_SHOT");
        String out = run.contextOut();
        assertEquals(8, u32(out, 8), "mark written");
        assertEquals(6, u32(out, 32), "priority written");
        assertEquals(0xffff ^ 11, u32(out, 48), "cb[0] written");
        assertEquals(12 + 13, u32(out, 64), "cb[4] written");
        assertEquals(6000, u64(out, 152), "tstamp written");
        assertEquals(100, u32(out, 160), "wire_len as given");
        assertEquals(HexFormat.of().formatHex(PACKET), run.packet());
    }

    @Test
    void aSocketFilterReadsMarkPriorityAndCbFromTheContextInputAndWritesCbOnAllEngines() {
        Run run = threeWay("socket_context", PACKET, skbContext(), null);
        assertTrue(run.maps().startsWith("skb_seen: 7 3 11 12 13 14 15 5 1 0 2 1400 0 0 64 0\n"), run.maps());
        assertEquals(Long.toString(64 - 13 % 8), run.r0());
        assertEquals(11 + 7, u32(run.contextOut(), 52), "cb[1] = cb[0] + mark");
        assertEquals(3, u32(run.contextOut(), 60), "cb[3] = priority");
        assertEquals(7, u32(run.contextOut(), 8), "mark unchanged");
    }

    @Test
    void anXdpProgramReadsIngressIfindexAndRxQueueIndexOfTheLoopbackDeviceOnAllEngines() {
        Run run = threeWay("xdp_context", PACKET, xdpContext(1, 0), null);
        assertEquals("2", run.r0(), "XDP_PASS");
        assertTrue(run.maps().endsWith("xdp_seen: 1 0 64 0\n"), run.maps());
        assertEquals(HexFormat.of().formatHex(xdpContext(1, 0)), run.contextOut(), "data 0, data_end 64, ifindex and queue as given");
    }

    @Test
    void withoutAContextInputTheContextIsTheKernelsTestRunDefaultAndNoContextComesBack() {
        Run tc = threeWay("tc_context", PACKET, null, null);
        // No ingress device, the loopback device, no wire length: what BPF_PROG_TEST_RUN gives without ctx_in.
        assertTrue(tc.maps().startsWith("skb_seen: 0 0 0 0 0 0 0 0 1 0 0 0 0 0 64 0\n"), tc.maps());
        assertEquals("none", tc.contextOut());
        Run xdp = threeWay("xdp_context", PACKET, null, null);
        assertTrue(xdp.maps().endsWith("xdp_seen: 1 0 64 0\n"), xdp.maps());
    }

    @Test
    void theContextInOptionGivesEveryRunItsContextFields() {
        Run run = threeWay("tc_context", PACKET, null, skbContext());
        assertTrue(run.maps().startsWith("skb_seen: 7 3 11 12 13 14 15 5 1 100 2 1400 5000 77 64 0\n"), run.maps());
        assertEquals(8, u32(run.contextOut(), 8));
    }

    @Test
    void aZeroIfindexIsTheLoopbackDeviceAndAZeroWireLenThePacketsLength() {
        Run run = threeWay("tc_context", PACKET, new byte[192], null);
        assertTrue(run.maps().startsWith("skb_seen: 0 0 0 0 0 0 0 0 1 64 0 0 0 0 64 0\n"), run.maps());
        assertEquals(1, u32(run.contextOut(), 40));
        assertEquals(64, u32(run.contextOut(), 160));
    }

    @Test
    void aShorterContextInputIsZeroExtendedAsTheKernelDoes() {
        byte[] shortContext = Arrays.copyOf(skbContext(), 12);
        Run run = threeWay("tc_context", PACKET, shortContext, null);
        assertTrue(run.maps().startsWith("skb_seen: 7 0 0 0 0 0 0 0 1 64 0 0 0 0 64 0\n"), run.maps());
        assertEquals(192, run.contextOut().length() / 2);
    }

    /** A context with one u32 set at {@code offset}. */
    private static byte[] with(byte[] base, int offset, int value) {
        byte[] bytes = base.clone();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
        return bytes;
    }

    @Test
    void fieldsTheKernelRefusesAreRefusedByEveryEngineInOneLineNamingTheField() {
        byte[] zero = new byte[192];
        byte[] tail = Arrays.copyOf(zero, 196);
        tail[195] = 1;
        String[][] cases = {
            {"pkt_type", HexFormat.of().formatHex(with(zero, 4, 1)), "__sk_buff.pkt_type (offset 4) may not be set by a context input"},
            {"tc_index", HexFormat.of().formatHex(with(zero, 44, 1)), "__sk_buff.tc_index (offset 44) may not be set"},
            {"short wire_len", HexFormat.of().formatHex(with(zero, 160, 10)), "__sk_buff.wire_len 10 is outside 64 (the skb's length) to 65536 (EINVAL)"},
            {"long wire_len", HexFormat.of().formatHex(with(zero, 160, 70000)), "__sk_buff.wire_len 70000 is outside"},
            {"gso_segs", HexFormat.of().formatHex(with(zero, 164, 70000)), "__sk_buff.gso_segs 70000 is above 65535 (EINVAL)"},
            {"tail", HexFormat.of().formatHex(tail), "byte 195 is not zero; struct __sk_buff has 192 and the kernel refuses anything nonzero after it (E2BIG)"},
        };
        for (String[] c : cases) {
            for (String engine : engines()) {
                Run run = run(engine, "tc_context", PACKET, HexFormat.of().parseHex(c[1]), null);
                assertTrue(run.r0().startsWith("error: ") && run.r0().contains("context input: ") && run.r0().contains(c[2]),
                                c[0] + " on " + engine + ": " + run.r0());
                assertEquals(1, run.r0().lines().count(), run.r0());
            }
        }
    }

    @Test
    void xdpContextsTheKernelRefusesAreRefusedByEveryEngine() {
        String[][] cases = {
            {"data_meta", HexFormat.of().formatHex(with(xdpContext(1, 0), 8, 4)), "xdp_md.data_meta must be 0"},
            {"egress_ifindex", HexFormat.of().formatHex(with(xdpContext(1, 0), 20, 1)), "xdp_md.egress_ifindex must be 0 (EINVAL)"},
            {"queue without device", HexFormat.of().formatHex(xdpContext(0, 1)), "xdp_md.rx_queue_index needs an ingress_ifindex (EINVAL)"},
            {"data_end past the packet", HexFormat.of().formatHex(with(xdpContext(1, 0), 4, 65)), "xdp_md.data_end 65 is past the packet's 64 bytes (EINVAL)"},
            {"unaligned metadata", HexFormat.of().formatHex(with(xdpContext(1, 0), 0, 3)), "xdp_md.data 3 (the metadata's length) is not a multiple of 4 (EINVAL)"},
        };
        for (String[] c : cases) {
            for (String engine : engines()) {
                Run run = run(engine, "xdp_context", PACKET, HexFormat.of().parseHex(c[1]), null);
                assertTrue(run.r0().startsWith("error: ") && run.r0().contains(c[2]), c[0] + " on " + engine + ": " + run.r0());
            }
        }
    }

    @Test
    void xdpMetadataIsRefusedByOurEnginesWithAOneLineReasonAndTakenByTheKernel() {
        byte[] meta = with(xdpContext(1, 0), 0, 4);
        for (String engine : new String[] {"interpreter", "native"}) {
            Run run = run(engine, "xdp_context", PACKET, meta, null);
            assertTrue(run.r0().contains("xdp_md.data is 4: metadata in front of the packet is not modelled by the interpreter and native engines"), run.r0());
        }
        if (engines().contains("kernel")) {
            Run kernel = run("kernel", "xdp_context", PACKET, meta, null);
            assertTrue(kernel.maps().endsWith("xdp_seen: 1 0 60 0\n"), "the packet proper starts after 4 bytes of metadata: " + kernel);
        }
    }

    @Test
    void aPacketOnlyRawProgramRefusesAContextInput() {
        try (Context context = Context.newBuilder("bpf").option("bpf.ContextIn", "01000000").build()) {
            Value program = context.eval(Source.newBuilder("bpf", ".program prog raw\n    mov %r0, 1\n    exit\n", "raw.s").buildLiteral()).getMember("prog");
            PolyglotException e = assertThrows(PolyglotException.class, () -> program.execute());
            assertTrue(e.getMessage().contains("context input: raw-memory programs take no context input"), e.getMessage());
        }
    }

    @Test
    void bpfRunWithCtxPrintsTheContextOutAndWritesItWithCtxOut(@TempDir Path dir) throws IOException {
        Path ctx = Files.write(dir.resolve("skb.ctx"), skbContext());
        String packet = HexFormat.of().formatHex(PACKET);
        String expected = "r0 = 2 (0x2) TC_ACT_SHOT\ncontext out: mark=8 priority=6 ingress_ifindex=5 ifindex=1 cb=[65524, 12, 13, 14, 25] tstamp=6000 wire_len=100 gso_segs=2 hwtstamp=77\n";
        for (String engine : engines()) {
            Path out = dir.resolve(engine + ".out");
            KernelEngineTest.Outcome run = KernelEngineTest.bpf("run", OBJECT.toString(), "--program", "tc", "--packet", packet, "--ctx", ctx.toString(), "--ctx-out",
                            out.toString(), "--engine", engine);
            assertEquals(0, run.exit(), run.err());
            assertEquals(expected, run.out(), engine);
            assertEquals(192, Files.size(out));
            assertEquals(8, ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN).getInt(8));
        }
        Path bad = Files.write(dir.resolve("bad.ctx"), with(new byte[192], 4, 1));
        KernelEngineTest.Outcome refused = KernelEngineTest.bpf("run", OBJECT.toString(), "--program", "tc", "--packet", packet, "--ctx", bad.toString());
        assertEquals(1, refused.exit(), refused.out());
        assertEquals(1, refused.err().lines().count(), refused.err());
        assertTrue(refused.err().contains("__sk_buff.pkt_type (offset 4) may not be set"), refused.err());
    }

    @Test
    void bpfBenchTakesACtxFile(@TempDir Path dir) throws IOException {
        Path ctx = Files.write(dir.resolve("xdp.ctx"), xdpContext(1, 0));
        for (String engine : engines()) {
            KernelEngineTest.Outcome bench = KernelEngineTest.bpf("bench", OBJECT.toString(), "--program", "xdp", "--packet", HexFormat.of().formatHex(PACKET), "--ctx",
                            ctx.toString(), "--engine", engine, "--warmup", "0", "--seconds", "0.1");
            assertEquals(0, bench.exit(), bench.err());
            assertTrue(bench.out().lines().anyMatch(line -> line.startsWith(engine + " ")), bench.out());
        }
    }
}
