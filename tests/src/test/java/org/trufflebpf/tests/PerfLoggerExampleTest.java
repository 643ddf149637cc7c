package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;
import org.trufflebpf.kernel.KernelEngineService;

/**
 * examples/c/perf_logger.c, an XDP packet logger in the style of monitoring datapaths: each packet's IPv4 and
 * TCP/UDP fields go out as a 20-byte event through bpf_perf_event_output (BPF_F_CURRENT_CPU) into a perf event
 * array declared without max_entries (sized to the CPU count by the loader), with per-kind counters. Every engine
 * gives the r0s, perf records and counters recorded from Linux 6.18's run of the same object (the kernel engine,
 * on CPU 0); where bpf(2) works (and TRUFFLEBPF_NO_KERNEL is not 1) the kernel engine is run again and must still
 * give them.
 */
class PerfLoggerExampleTest {
    private static final String OBJECT = "examples/c/perf_logger.o";
    private static final String ETHERNET = "000000000002" + "000000000001";
    private static final List<String> PACKETS = List.of(
                    // The README's TCP SYN, 10.0.0.1:12345 to 10.0.0.2:23.
                    KernelEngineTest.README_PACKET,
                    // UDP 10.0.0.1:4660 to 10.0.0.2:53.
                    ETHERNET + "0800" + "4500001c00000000401100000a0000010a000002" + "1234003500080000",
                    // ICMP echo: an event without ports.
                    ETHERNET + "0800" + "4500001c00000000400100000a0000010a000003" + "0800000000000000",
                    // ARP: counted, no event.
                    ETHERNET + "0806" + "0001080006040001" + "00".repeat(20),
                    // IPv4 cut after 10 bytes: counted as truncated, no event.
                    ETHERNET + "0800" + "45000028000000004006",
                    // TCP after a 24-byte IPv4 header (one option word), PSH+ACK from 192.168.1.7:80.
                    ETHERNET + "0800" + "4600002c000000003f060000c0a801070a00000201010101" + "0050c35000000000000000005018000000000000");

    /** Recorded from the kernel engine's run (Linux 6.18). */
    private static final List<String> KERNEL = List.of("r0 [2, 2, 2, 2, 2, 2]",
                    // saddr, daddr, sport 12345, dport 23, length 54, TCP, ttl 64, SYN; no padding (20 + the u32 size fill 3 words).
                    "cpu 0: 0a0000010a000002393017003600064002000000",
                    "cpu 0: 0a0000010a000002341235002a00114000000000",
                    "cpu 0: 0a0000010a000003000000002a00014000000000",
                    "cpu 0: c0a801070a000002500050c33a00063f18000000",
                    "lost 0",
                    // TCP, UDP, other IPv4, not IPv4, truncated, lost.
                    "counters [2, 1, 1, 1, 1, 0]");

    private static List<String> play(String engine) {
        return play(engine, 1, 0, PACKETS);
    }

    private static List<String> play(String engine, int cpus, int cpu, List<String> packets) {
        List<String> seen = new ArrayList<>();
        try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).option("bpf.Cpus", Integer.toString(cpus)).option("bpf.Cpu", Integer.toString(cpu))
                        .allowHostAccess(HostAccess.newBuilder().allowBufferAccess(true).build()).build()) {
            Value module = context.eval(Source.newBuilder("bpf", new File(KernelEngineTest.ROOT.toFile(), OBJECT)).buildLiteral());
            Value program = module.getMember("perf_logger");
            List<Long> actions = new ArrayList<>();
            for (String packet : packets) {
                byte[] input = HexFormat.of().parseHex(packet);
                ByteBuffer buffer = ByteBuffer.allocateDirect(input.length);
                buffer.put(input).clear();
                actions.add(program.execute(buffer).asLong() & 0xffff_ffffL);
            }
            seen.add("r0 " + actions);
            Value records = module.getMember("events").invokeMember("consume");
            for (long i = 0; i < records.getArraySize(); i++) {
                Value record = records.getArrayElement(i);
                Value data = record.getMember("data");
                byte[] bytes = new byte[(int) data.getBufferSize()];
                data.readBuffer(0, bytes, 0, bytes.length);
                seen.add("cpu " + record.getMember("cpu").asInt() + ": " + HexFormat.of().formatHex(bytes));
            }
            seen.add("lost " + module.getMember("events").getMember("lost").asLong());
            Value counters = module.getMember("counters");
            List<Long> counts = new ArrayList<>();
            for (long i = 0; i < counters.getArraySize(); i++) {
                counts.add(counters.getArrayElement(i).asLong());
            }
            seen.add("counters " + counts);
        }
        return seen;
    }

    @Test
    void eachParsedPacketIsOnePerfRecordOnTheCurrentCpuWithTheKernelsBytesAndTheCountersAgreeOnEveryEngine() {
        if (new KernelEngineService().unavailableReason() == null && !"1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL"))) {
            assertEquals(KERNEL, play("kernel"), "the kernel engine against its recorded run");
        }
        assertEquals(KERNEL, play("interpreter"), "interpreter against the kernel's recorded run");
        assertEquals(KERNEL, play("native"), "native against the kernel's recorded run");
    }

    @Test
    void theUnsizedPerfEventArrayHasASlotPerCpuAndARunOnCpu1WritesToIt() {
        List<String> expected = List.of("r0 [2]", "cpu 1: 0a0000010a000002393017003600064002000000", "lost 0", "counters [1, 0, 0, 0, 0, 0]");
        List<String> engines = new ArrayList<>(List.of("interpreter", "native"));
        if (new KernelEngineService().unavailableReason() == null && !"1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL"))) {
            engines.add("kernel");
        }
        for (String engine : engines) {
            assertEquals(expected, play(engine, 2, 1, PACKETS.subList(0, 1)), engine);
        }
    }
}
