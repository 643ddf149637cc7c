package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/**
 * Records a program submits to a ring buffer in the kernel reach the host as on our engines
 * ({@code examples/c/ring_events.c}: reserve and submit, reserve and discard, bpf_ringbuf_output), and the
 * kernel's ring is full exactly when ours is, because its consumer position follows what the host consumed.
 */
class KernelRingBufferTest {
    private static final byte[] TCP = HexFormat.of().parseHex(KernelEngineTest.README_PACKET);
    /** An ARP packet: not IPv4, so its record is copied with bpf_ringbuf_output. */
    private static final byte[] ARP = HexFormat.of().parseHex("ffffffffffff" + "000000000001" + "0806" + "0001080006040001" + "000000000001" + "0a000001"
                    + "000000000000" + "0a000002");
    /** The README's packet with TTL 0: its reserved record is discarded. */
    private static final byte[] EXPIRED = expired();
    /** 24-byte records, 32 bytes with their header, in a 4096-byte ring that holds at most 4095 bytes. */
    private static final int RECORDS_IN_A_FULL_RING = 127;
    private static final long XDP_ABORTED = 0;
    private static final long XDP_DROP = 1;
    private static final long XDP_PASS = 2;

    private static byte[] expired() {
        byte[] packet = TCP.clone();
        packet[14 + 8] = 0;
        return packet;
    }

    /** What one engine did: r0 of each run, and each consume's records (hex), in order. */
    private static List<String> play(String engine) {
        List<String> seen = new ArrayList<>();
        try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).build()) {
            Value module = context.eval(Source.newBuilder("bpf", new File(KernelEngineTest.ROOT.toFile(), "examples/c/ring_events.o")).buildLiteral());
            Value program = module.getMember("xdp_events");
            Value events = module.getMember("events");
            for (byte[] packet : new byte[][] {TCP, ARP, EXPIRED}) {
                seen.add("r0 " + program.execute((Object) packet).asLong());
            }
            seen.add(consume(events));
            // Without the host consuming, the ring fills up; the next record does not fit.
            for (int i = 0; i < RECORDS_IN_A_FULL_RING; i++) {
                assertEquals(XDP_PASS, program.execute((Object) TCP).asLong(), engine + ": run " + i + " of a ring filling up");
            }
            seen.add("full: r0 " + program.execute((Object) TCP).asLong());
            seen.add(consume(events));
            seen.add("after consuming: r0 " + program.execute((Object) ARP).asLong());
            seen.add(consume(events));
        }
        return seen;
    }

    private static String consume(Value ring) {
        Value records = ring.invokeMember("consume");
        StringBuilder text = new StringBuilder("records " + records.getArraySize() + ":");
        for (long i = 0; i < records.getArraySize(); i++) {
            Value record = records.getArrayElement(i);
            byte[] bytes = new byte[(int) record.getBufferSize()];
            record.readBuffer(0, bytes, 0, bytes.length);
            text.append(' ').append(HexFormat.of().formatHex(bytes));
        }
        return text.toString();
    }

    @Test
    void recordsSubmittedInTheKernelAreConsumedAsOnOurEnginesAndAFullRingRefusesAlike() {
        KernelEngineTest.assumeKernel();
        List<String> interpreter = play("interpreter");
        // Sanity of the scenario on our engines: the TCP and ARP records, the discarded one not delivered, a full
        // ring after 127 records, all 127 consumed, then room again.
        assertEquals(List.of("r0 " + XDP_PASS, "r0 " + XDP_PASS, "r0 " + XDP_DROP), interpreter.subList(0, 3), interpreter.toString());
        assertEquals(2, Integer.parseInt(interpreter.get(3).replaceAll("records (\\d+):.*", "$1")), interpreter.get(3));
        assertEquals("full: r0 " + XDP_ABORTED, interpreter.get(4));
        assertEquals(RECORDS_IN_A_FULL_RING, Integer.parseInt(interpreter.get(5).replaceAll("records (\\d+):.*", "$1")));
        assertEquals("after consuming: r0 " + XDP_PASS, interpreter.get(6));
        for (String engine : new String[] {"native", "kernel"}) {
            assertEquals(interpreter, play(engine), engine + " against the interpreter");
        }
    }
}
