package org.trufflebpf.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** What the kernel may do differently, and only that: each listed reason explains the fields it names and no others. */
class KernelDifferencesTest {
    private static final Outcome OURS = new Outcome(0x1_0000_0007L, null, null, new byte[] {1, 2}, Map.of("m", List.of("1"), "rb", List.of("ab")), "out", 12);

    private static ModuleFacts calling(String... helpers) {
        return new ModuleFacts(Map.of("main", ModuleFacts.XDP), Set.of(helpers), Set.of("rb"), Set.of());
    }

    @Test
    void r0IsComparedOnItsLow32BitsAndCountsOutputAndRingBuffersAreLeftOut() {
        Outcome comparable = KernelDifferences.comparable(OURS, calling());
        assertEquals(7L, comparable.r0());
        assertEquals(-1, comparable.executed());
        assertEquals("", comparable.output());
        assertEquals(Map.of("m", List.of("1")), comparable.maps());
        assertArrayEquals(new byte[] {1, 2}, comparable.memory());
    }

    @Test
    void aClockHelperExplainsResultsButNotAnError() {
        ModuleFacts facts = calling("ktime_get_ns");
        assertTrue(KernelDifferences.explain(List.of("r0", "map m"), OURS, facts, "shared", false).contains("bpf_ktime_get_ns"));
        assertNull(KernelDifferences.explain(List.of("r0", "error"), OURS, facts, "shared", false));
    }

    @Test
    void tailCallsDifferOnlyUnderTheCounterByValue() {
        ModuleFacts facts = calling("tail_call");
        assertNotNull(KernelDifferences.explain(List.of("r0"), OURS, facts, "counter-by-value", false));
        assertNull(KernelDifferences.explain(List.of("r0"), OURS, facts, "shared", false));
    }

    @Test
    void aMovedPacketStartExplainsThePacketOnly() {
        ModuleFacts facts = calling("xdp_adjust_head");
        assertNotNull(KernelDifferences.explain(List.of("memory"), OURS, facts, "shared", false));
        assertNull(KernelDifferences.explain(List.of("memory", "r0"), OURS, facts, "shared", false));
    }

    @Test
    void ourBudgetStopExplainsEverything() {
        Outcome stopped = new Outcome(null, "runtime", "p.s: function 'main': insn 3 'ja -1': execution budget of 700 instructions exhausted (700 executed; raise it with --limit)",
                        null, Map.of(), "", -1);
        assertNotNull(KernelDifferences.explain(List.of("r0", "error", "memory"), stopped, calling(), "shared", false));
    }

    @Test
    void withoutAListedReasonADifferenceStaysADivergence() {
        assertNull(KernelDifferences.explain(List.of("r0"), OURS, calling("get_smp_processor_id"), "shared", false));
        assertNotNull(KernelDifferences.explain(List.of("r0"), OURS, calling(), "shared", true), "prog-array slots changed from the host");
    }

    @Test
    void aSocketFilterRunsInTheKernelBehindAnEthernetHeaderThatIsNotComparedAfterwards() {
        byte[] packet = KernelDifferences.kernelPacket(ModuleFacts.SOCKET_FILTER, new byte[] {9, 8});
        assertEquals(KernelDifferences.SOCKET_FILTER_HEADER_BYTES + 2, packet.length);
        assertArrayEquals(new byte[] {9, 8}, KernelDifferences.comparablePacket(ModuleFacts.SOCKET_FILTER, packet));
        assertArrayEquals(new byte[] {9, 8}, KernelDifferences.kernelPacket(ModuleFacts.XDP, new byte[] {9, 8}));
    }

    @Test
    void packetsTheTestRunRefusesAreNotRun() {
        assertTrue(KernelDifferences.notRunReason(ModuleFacts.XDP, new byte[13]).contains("shorter than an Ethernet header"));
        assertNull(KernelDifferences.notRunReason(ModuleFacts.XDP, new byte[14]));
        byte[] ipv4 = new byte[33];
        ipv4[12] = 0x08;
        assertTrue(KernelDifferences.notRunReason("sched_cls", ipv4).contains("IPv4"));
        assertNull(KernelDifferences.notRunReason("sched_cls", new byte[34]));
        assertNull(KernelDifferences.notRunReason(ModuleFacts.SOCKET_FILTER, new byte[0]));
        assertTrue(KernelDifferences.notRunReason(ModuleFacts.RAW, new byte[64]).contains("raw-memory"));
    }

    @Test
    void onlyAHelperWeDoNotProvideExplainsARejectionOfOurs() {
        Outcome unknownHelper = new Outcome(null, "rejected", "c.o: function 'f': insn 8 'call 181': calls helper 181 (bpf_loop), which TruffleBPF does not support", null, Map.of(), "", -1);
        Outcome unsafe = new Outcome(null, "rejected", "c.o: function 'f': insn 8 'ldxdw %r0, [%r2]': R2 invalid mem access 'scalar'", null, Map.of(), "", -1);
        assertNotNull(KernelDifferences.explainVerdict(unknownHelper));
        assertNull(KernelDifferences.explainVerdict(unsafe));
    }
}
