package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;
import org.trufflebpf.kernel.KernelEngineService;

/**
 * Objects load program by program ({@code examples/c/loader/}): a program the loader, its section or the
 * verifier refuses stays a member of the module that says why and fails with that reason when run, and its
 * siblings run on every engine, the kernel's included, with the same results.
 */
class ProgramByProgramLoadingTest {
    private static final String LEGACY = "examples/c/loader/legacy_project.o";
    private static final byte[] TCP = HexFormat.of().parseHex(KernelEngineTest.README_PACKET);
    /** The README's packet as UDP (protocol 17). */
    private static final byte[] UDP = udp();

    private static byte[] udp() {
        byte[] packet = TCP.clone();
        packet[14 + 9] = 17;
        return packet;
    }

    private static Value eval(Context context, String file) {
        return context.eval(Source.newBuilder("bpf", new File(KernelEngineTest.ROOT.toFile(), file)).buildLiteral());
    }

    private static List<String> engines() {
        List<String> engines = new ArrayList<>(List.of("interpreter", "native"));
        if (new KernelEngineService().unavailableReason() == null && !"1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL"))) {
            engines.add("kernel");
        }
        return engines;
    }

    private static String refusal(Value module, String program) {
        PolyglotException e = assertThrows(PolyglotException.class, () -> module.getMember(program).execute((Object) TCP));
        assertTrue(e.isGuestException(), e.toString());
        return e.getMessage();
    }

    @Test
    void refusedProgramsSayWhyWhileTheirSiblingsRunAlikeOnEveryEngine() {
        List<String> results = new ArrayList<>();
        for (String engine : engines()) {
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).build()) {
                Value module = eval(context, LEGACY);
                StringBuilder seen = new StringBuilder();
                seen.append("xdp1 udp ").append(module.getMember("xdp_prog1").execute((Object) UDP).asLong());
                seen.append(", xdp1 tcp ").append(module.getMember("xdp_prog1").execute((Object) TCP).asLong());
                // The kernel's test run starts a socket filter's skb at the network header; ours get what it sees
                // (KernelDifferences.SOCKET_FILTER_HEADER_BYTES): LD_ABS at 14 + 9 then reads the same byte, 23.
                byte[] socketInput = engine.equals("kernel") ? TCP : Arrays.copyOfRange(TCP, 14, TCP.length);
                seen.append(", socket1 tcp ").append(module.getMember("bpf_prog1").execute((Object) socketInput).asLong());
                seen.append(", module ").append(module.execute((Object) UDP).asLong());
                seen.append('\n').append(module.invokeMember("mapDump").asString());
                results.add(seen.toString());

                assertEquals("legacy_project.o: function 'tail_7': section '2/7' names no program type libbpf knows; give the type with --context"
                                + " (bpf.Context): raw, socket, tc or xdp", refusal(module, "tail_7"), engine);
                assertEquals("legacy_project.o: function 'trace_write': section 'kprobe/ksys_write' makes it a kprobe program (BPF_PROG_TYPE_KPROBE),"
                                + " which TruffleBPF cannot run: it runs socket_filter, sched_cls and xdp programs", refusal(module, "trace_write"), engine);
                assertEquals("legacy_project.o: legacy_project.c:96: function 'no_bounds_check': insn 1 'ldxb %r2, [%r1+12]': invalid access to packet,"
                                + " off=12 size=1, R1(id=0,off=0,r=0): R1 offset is outside of the packet", refusal(module, "no_bounds_check"), engine);
                Value refused = module.getMember("trace_write");
                assertEquals("kprobe", refused.getMember("type").asString());
                assertEquals("kprobe/ksys_write", refused.getMember("section").asString());
                assertEquals(refusal(module, "trace_write"), refused.getMember("refused").asString());
                assertThrows(PolyglotException.class, () -> module.getMember("tail_7").invokeMember("executeWithContext", (Object) TCP));
                assertEquals(List.of("xdp_prog1", "bpf_prog1", "tail_7", "trace_write", "no_bounds_check", "rxcnt", "write_calls"),
                                List.copyOf(module.getMemberKeys()), "loaded programs first, then the refused ones, then the maps");
            }
        }
        // samples/bpf/xdp1 drops UDP and passes TCP; each run counts its protocol, socket1 the byte it read + 128.
        assertTrue(results.get(0).startsWith("xdp1 udp 1, xdp1 tcp 2, socket1 tcp 0, module 1\n"), results.get(0));
        assertTrue(results.get(0).contains("  [6] = 1 (0x1)\n  [17] = 2 (0x2)\n  [151] = 1 (0x1)\n"), results.get(0));
        for (int i = 1; i < results.size(); i++) {
            assertEquals(results.get(0), results.get(i), engines().get(i) + " against the interpreter");
        }
    }

    @Test
    void aNumberedSectionRunsAsTheContextOptionSaysAlikeOnEveryEngine() {
        byte[] longPacket = new byte[TCP.length + 60];
        System.arraycopy(TCP, 0, longPacket, 0, TCP.length);
        List<String> results = new ArrayList<>();
        for (String engine : engines()) {
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).option("bpf.Context", "tc").build()) {
                Value tail = eval(context, LEGACY).getMember("tail_7");
                assertEquals("sched_cls", tail.getMember("type").asString());
                results.add(tail.execute((Object) TCP).asLong() + " " + tail.execute((Object) longPacket).asLong());
            }
        }
        // TC_ACT_OK for 54 bytes, TC_ACT_SHOT past 100.
        assertEquals("0 2", results.get(0));
        for (int i = 1; i < results.size(); i++) {
            assertEquals(results.get(0), results.get(i), engines().get(i));
        }
    }

    @Test
    void theKernelRefusesTheProgramOurVerifierRefusesAndAcceptsItsSiblings() {
        KernelEngineTest.assumeKernel();
        try (Context context = Context.newBuilder("bpf").option("bpf.Prepare", "false").build()) {
            Value module = eval(context, LEGACY);
            assertFalse(module.invokeMember("kernelVerdict", "no_bounds_check").getMember("accepted").asBoolean());
            assertTrue(module.invokeMember("kernelVerdict", "xdp_prog1").getMember("accepted").asBoolean());
            assertTrue(module.invokeMember("kernelVerdict", "bpf_prog1").getMember("accepted").asBoolean());
        }
    }

    @Test
    void theGoodProgramOfAnObjectWithLoaderRefusalsRunsAndTheOthersNameWhatIsMissing() {
        try (Context context = Context.newBuilder("bpf").build()) {
            Value module = eval(context, "examples/c/loader/old_toolchain.o");
            assertEquals(0, module.getMember("good_len").execute((Object) TCP).asLong(), "TC_ACT_OK for 54 bytes");
            assertTrue(refusal(module, "queues").endsWith("uses map 'pending' of type queue (BPF_MAP_TYPE_QUEUE), which TruffleBPF does not support"));
            assertTrue(refusal(module, "clears").contains("calls undefined function 'memset'"));
            assertEquals(0, module.getMember("core_len").execute((Object) TCP).asLong(), "its CO-RE relocation applied: TC_ACT_OK for 54 bytes");
        }
    }

    @Test
    void aProgramCallingAHelperWeLackNamesItByItsLinuxName() {
        String asm = ".program uses_lookup xdp\nmov %r0, 2\ncall 84\nexit\n.program passes xdp\nmov %r0, 2\nexit\n";
        try (Context context = Context.newBuilder("bpf").build()) {
            Value module = context.eval(Source.newBuilder("bpf", asm, "lookup.s").buildLiteral());
            assertEquals(2, module.getMember("passes").execute((Object) TCP).asLong());
            assertEquals("lookup.s: function 'uses_lookup': insn 1 'call 84': calls helper 84 (bpf_sk_lookup_tcp),"
                            + " which TruffleBPF does not support", refusal(module, "uses_lookup"));
        }
    }

    @Test
    void anObjectNoneOfWhoseProgramsCanRunFailsToLoadWithTheFirstReason() {
        String asm = ".program a xdp\nmov %r0, 2\ncall 84\nexit\n.program b xdp\nldxw %r0, [%r10-520]\nexit\n";
        try (Context context = Context.newBuilder("bpf").build()) {
            PolyglotException e = assertThrows(PolyglotException.class, () -> context.eval(Source.newBuilder("bpf", asm, "none.s").buildLiteral()));
            assertTrue(e.isGuestException(), e.toString());
            assertTrue(e.getMessage().contains("function 'a'") && e.getMessage().contains("(bpf_sk_lookup_tcp)"), e.getMessage());
        }
    }
}
