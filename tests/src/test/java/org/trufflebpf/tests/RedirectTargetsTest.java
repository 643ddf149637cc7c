package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/**
 * bpf_redirect_neigh and bpf_clone_redirect leave their targets in the run's result on both engines: the
 * program's {@code redirect} (with the neighbour and next hop) and {@code clones} (each with the packet's
 * bytes at its call) members, and the lines {@code bpf run} prints. The return values are checked against the
 * kernel by the packet-helpers cases.
 */
class RedirectTargetsTest {
    private static final String[] ENGINES = {"interpreter", "native"};
    private static final Path CASES = Path.of("src/test/resources/packet-helpers");

    private static Value run(Context context, String file) throws IOException {
        Value module = context.eval(Source.newBuilder("bpf", CASES.resolve(file).toFile()).build());
        Value program = module.getMember("main");
        program.execute((Object) HexFormat.of().parseHex(KernelEngineTest.README_PACKET));
        return program;
    }

    @Test
    void eachCloneKeepsThePacketAsItWasAtItsCall() throws IOException {
        for (String engine : ENGINES) {
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).build()) {
                Value clones = run(context, "clone_redirect_twice.s").getMember("clones");
                assertEquals(2, clones.getArraySize());
                assertEquals(1, clones.getArrayElement(0).getMember("ifindex").asLong());
                assertEquals(0, clones.getArrayElement(0).getMember("flags").asLong());
                assertEquals(1, clones.getArrayElement(1).getMember("flags").asLong());
                assertEquals(0x00, clones.getArrayElement(0).getMember("packet").getArrayElement(0).asInt());
                assertEquals(0x11, clones.getArrayElement(1).getMember("packet").getArrayElement(0).asInt());
                assertEquals(54, clones.getArrayElement(1).getMember("packet").getArraySize());
            }
        }
    }

    @Test
    void aFailedCloneRecordsNothing() throws IOException {
        for (String engine : ENGINES) {
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).build()) {
                assertEquals(0, run(context, "clone_redirect_badflag.s").getMember("clones").getArraySize());
            }
        }
    }

    @Test
    void redirectNeighRecordsTheTargetAndNextHop() throws IOException {
        for (String engine : ENGINES) {
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).build()) {
                Value v4 = run(context, "redirect_neigh_v4.s").getMember("redirect");
                assertEquals(7, v4.getMember("ifindex").asLong());
                assertTrue(v4.getMember("neighbour").asBoolean());
                assertEquals("10.0.0.1", v4.getMember("nexthop").asString());
                Value none = run(context, "redirect_neigh_null.s").getMember("redirect");
                assertTrue(none.getMember("neighbour").asBoolean());
                assertTrue(none.getMember("nexthop").isNull());
                Value plain = run(context, "redirect_tc.s").getMember("redirect");
                assertFalse(plain.getMember("neighbour").asBoolean());
                assertTrue(run(context, "redirect_neigh_flags.s").getMember("redirect").isNull(), "TC_ACT_SHOT sets no target");
            }
        }
    }

    @Test
    void bpfRunPrintsTheNeighbourAndEveryClone() {
        for (String engine : ENGINES) {
            KernelEngineTest.Outcome neigh = KernelEngineTest.bpf("run", CASES.resolve("redirect_neigh_v6_long.s").toString(), "--packet", KernelEngineTest.README_PACKET,
                            "--engine", engine);
            assertEquals(0, neigh.exit(), neigh.err());
            assertTrue(neigh.out().contains("redirect: ifindex 9 egress via neighbour fe80:0:0:0:0:0:0:1\n"), neigh.out());
            KernelEngineTest.Outcome clones = KernelEngineTest.bpf("run", CASES.resolve("clone_redirect_twice.s").toString(), "--packet", KernelEngineTest.README_PACKET,
                            "--engine", engine);
            assertEquals(0, clones.exit(), clones.err());
            assertTrue(clones.out().contains("clone: ifindex 1 egress, 54 bytes: " + KernelEngineTest.README_PACKET + "\n"), clones.out());
            assertTrue(clones.out().contains("clone: ifindex 1 ingress, 54 bytes: 1122" + KernelEngineTest.README_PACKET.substring(4) + "\n"), clones.out());
        }
    }
}
