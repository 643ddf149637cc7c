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
 * examples/c/lb_maps.c, a load balancer whose backend sets are inner hashes of an array of maps: the README's TCP
 * packet to 10.0.0.2:23 (service 0) leaves for 10.0.0.9:8080 with both checksums fixed, exactly as nat_lb.c
 * rewrites it; after the host puts another backend set into the outer array it leaves for 10.0.0.7:53 instead;
 * with the service's entry emptied it is dropped. Every engine gives the packets and r0 recorded from Linux
 * 6.18's run of the same object (checked against it again where the kernel engine runs).
 */
class MapInMapLoadBalancerExampleTest {
    private static final String OBJECT = "examples/c/lb_maps.o";
    /** struct vip: 10.0.0.2, port 23, TCP. */
    private static final byte[] VIP = HexFormat.of().parseHex("0a000002" + "0017" + "06" + "00");
    private static final byte[] WEB = HexFormat.of().parseHex("0a000009" + "1f90" + "0000");
    private static final byte[] SPARE = HexFormat.of().parseHex("0a000007" + "0035" + "0000");
    private static final byte[] SERVICE_0 = {0, 0, 0, 0};
    private static final byte[] SLOT_0 = {0, 0, 0, 0};
    private static final byte[] SLOT_1 = {1, 0, 0, 0};

    /** Recorded from the kernel engine's run (Linux 6.18). */
    private static final List<String> KERNEL = List.of(
                    // The same bytes as nat_lb.c's rewrite to 10.0.0.9:8080 (slot 1: source port 12345 % 4).
                    "r0 0, packet 000000000002000000000001080045000028000000004006fff80a0000010a00000930391f90000000000000000050020000e07f0000",
                    // The spare set has only slot 0: 10.0.0.7:53 (IPv4 checksum 0xfffa, TCP 0xffdc).
                    "r0 0, packet 000000000002000000000001080045000028000000004006fffa0a0000010a00000730390035000000000000000050020000ffdc0000",
                    "r0 2, packet " + KernelEngineTest.README_PACKET);

    private static List<String> play(String engine) {
        List<String> seen = new ArrayList<>();
        try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine)
                        .allowHostAccess(HostAccess.newBuilder().allowBufferAccess(true).build()).build()) {
            Value module = context.eval(Source.newBuilder("bpf", new File(KernelEngineTest.ROOT.toFile(), OBJECT)).buildLiteral());
            Value program = module.getMember("lb_maps");
            module.getMember("services").putHashEntry(VIP, SERVICE_0);
            module.getMember("web_backends").putHashEntry(SLOT_1, WEB);
            module.getMember("spare_backends").putHashEntry(SLOT_0, SPARE);
            seen.add(run(program, KernelEngineTest.README_PACKET));
            Value sets = module.getMember("backend_sets");
            sets.setArrayElement(0, module.getMember("spare_backends"));
            seen.add(run(program, KernelEngineTest.README_PACKET));
            sets.removeArrayElement(0);
            seen.add(run(program, KernelEngineTest.README_PACKET));
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
        return "r0 " + r0 + ", packet " + HexFormat.of().formatHex(out);
    }

    @Test
    void theServicesBackendSetFromTheArrayOfMapsRewritesThePacketAsTheKernelDoesOnEveryEngine() {
        assertEquals(KERNEL, play("interpreter"), "interpreter against the kernel's recorded run");
        assertEquals(KERNEL, play("native"), "native against the kernel's recorded run");
        if (new KernelEngineService().unavailableReason() == null && !"1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL"))) {
            assertEquals(KERNEL, play("kernel"), "the kernel engine against its recorded run");
        }
    }
}
