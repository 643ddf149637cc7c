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
 * examples/c/nat_lb.c, a load balancer in the style of real tc/XDP datapaths, with a backend set through the
 * Context API: the README's TCP packet to 10.0.0.2:23 leaves for 10.0.0.9:8080 with both checksums fixed
 * (bpf_l3/l4_csum_replace, bpf_skb_store_bytes), its reply is source-NATed back with bpf_csum_diff, and each
 * rewrite is logged through bpf_perf_event_output (the tc one with the packet's headers appended). Every engine
 * gives the packets, r0, counters and perf records recorded from Linux 6.18's run of the same object.
 */
class NatLoadBalancerExampleTest {
    private static final String OBJECT = "examples/c/nat_lb.o";
    /** backends[1] (the README packet's source port 12345 % 4): 10.0.0.9, port 8080. */
    private static final byte[] BACKEND = HexFormat.of().parseHex("0a000009" + "1f90" + "0000");
    /** A reply from the backend 10.0.0.9 to the client 10.0.0.1, with a correct IPv4 checksum. */
    private static final String REPLY = "000000000001000000000002080045000028000000004006" + "2670" + "0a0000090a000001"
                    + "1f9030390000000000000000501200000000" + "0000";

    /** Recorded from the kernel engine's run (Linux 6.18); checked against it again where it runs. */
    private static final List<String> KERNEL = List.of(
                    // To 10.0.0.9:8080: IPv4 checksum 0x0000 -> 0xfff8 for the address, TCP 0xffff -> 0xe07f for address and port.
                    "lb_ingress: r0 0, packet 000000000002000000000001080045000028000000004006fff80a0000010a00000930391f90000000000000000050020000e07f0000",
                    // From 10.0.0.2 now, XDP_TX; IPv4 checksum 0x2670 -> 0x2677.
                    "snat_reply: r0 3, packet 00000000000100000000000208004500002800000000400626770a0000020a0000011f90303900000000000000005012000000000000",
                    "picked[1] 1",
                    // 20-byte event + 34 header bytes = 54, padded to 60 (with the u32 size, whole 8-byte words).
                    "cpu 0: 0a0000020a00000900171f900100000000000000000000000002000000000001080045000028000000004006fff80a0000010a000009000000000000",
                    // csum_diff's folded result (0xd988) in the event's result field.
                    "cpu 0: 0a0000090a0000020000000004000000d9880000");

    private static List<String> play(String engine) {
        List<String> seen = new ArrayList<>();
        try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine)
                        .allowHostAccess(HostAccess.newBuilder().allowBufferAccess(true).build()).build()) {
            Value module = context.eval(Source.newBuilder("bpf", new File(KernelEngineTest.ROOT.toFile(), OBJECT)).buildLiteral());
            module.getMember("backends").setArrayElement(1, BACKEND);
            seen.add(run(module.getMember("lb_ingress"), KernelEngineTest.README_PACKET));
            seen.add(run(module.getMember("snat_reply"), REPLY));
            seen.add("picked[1] " + module.getMember("picked").getArrayElement(1));
            Value records = module.getMember("nat_events").invokeMember("consume");
            for (long i = 0; i < records.getArraySize(); i++) {
                Value record = records.getArrayElement(i);
                seen.add("cpu " + record.getMember("cpu").asInt() + ": " + HexFormat.of().formatHex(bytes(record.getMember("data"))));
            }
        }
        return seen;
    }

    private static String run(Value program, String hex) {
        byte[] input = HexFormat.of().parseHex(hex);
        ByteBuffer packet = ByteBuffer.allocateDirect(input.length);
        packet.put(input).clear();
        long r0 = program.execute(packet).asLong() & 0xffff_ffffL;
        byte[] out = new byte[input.length];
        packet.get(0, out);
        return program.getMember("name").asString() + ": r0 " + r0 + ", packet " + HexFormat.of().formatHex(out);
    }

    private static byte[] bytes(Value buffer) {
        byte[] bytes = new byte[(int) buffer.getBufferSize()];
        buffer.readBuffer(0, bytes, 0, bytes.length);
        return bytes;
    }

    @Test
    void theBalancedPacketItsSourceNatedReplyAndTheirPerfRecordsAreTheKernelsOnEveryEngine() {
        assertEquals(KERNEL, play("interpreter"), "interpreter against the kernel's recorded run");
        assertEquals(KERNEL, play("native"), "native against the kernel's recorded run");
        if (new KernelEngineService().unavailableReason() == null && !"1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL"))) {
            assertEquals(KERNEL, play("kernel"), "the kernel engine against its recorded run");
        }
    }
}
