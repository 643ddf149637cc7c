package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/**
 * The host gives a run received tunnel metadata (program.setTunnel, bpf run --tunnel) and reads what the run
 * left (program.tunnel, bpf run's tunnel: line), on both engines. The helpers' results against the kernel are
 * the packet-helpers tunnel_* cases.
 */
class TunnelMetadataTest {
    private static final String[] ENGINES = {"interpreter", "native"};
    private static final byte[] PACKET = HexFormat.of().parseHex(KernelEngineTest.README_PACKET);

    /** r0 = the received key's remote_ipv4 + its tunnel_id (after a get of flags r4) or the get's error. */
    private static final String READ_KEY = """
                    .program main tc
                        mov %r6, %r1
                        mov %r1, %r6
                        mov %r2, %r10
                        add %r2, -48
                        mov %r3, 44
                        mov %r4, 0
                        call skb_get_tunnel_key
                        jne %r0, 0, out
                        ldxw %r0, [%r10-44]
                        ldxw %r1, [%r10-48]
                        add %r0, %r1
                    out:
                        exit
                    """;

    /** r0 = the received options' length (into a 16-byte buffer) << 32 | their first word. */
    private static final String READ_OPTIONS = """
                    .program main tc
                        mov %r1, %r1
                        mov %r2, %r10
                        add %r2, -16
                        mov %r3, 16
                        call skb_get_tunnel_opt
                        lsh %r0, 32
                        ldxw %r1, [%r10-16]
                        or %r0, %r1
                        exit
                    """;

    /** r0 = bpf_skb_set_tunnel_opt on the metadata as it is (received: -EINVAL, as the kernel's). */
    private static final String SET_OPTIONS = """
                    .program main tc
                        stw [%r10-8], 1
                        mov %r2, %r10
                        add %r2, -8
                        mov %r3, 4
                        call skb_set_tunnel_opt
                        exit
                    """;

    private static Value program(Context context, String text) throws IOException {
        return context.eval(Source.newBuilder("bpf", text, "tunnel.s").build()).getMember("main");
    }

    @Test
    void aProgramReadsTheReceivedKeyTheHostGave() throws IOException {
        for (String engine : ENGINES) {
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).build()) {
                Value program = program(context, READ_KEY);
                assertEquals(-22, program.execute((Object) PACKET).asLong(), "no metadata: -EINVAL");
                program.invokeMember("setTunnel", "id=5,remote=10.0.0.9,local=10.0.0.1,ttl=64");
                assertEquals(0x0a000009L + 5, program.execute((Object) PACKET).asLong());
                Value after = program.getMember("tunnel");
                assertEquals("rx", after.getMember("mode").asString());
                assertEquals("10.0.0.9", after.getMember("remote").asString());
                assertEquals(0x4, after.getMember("flags").asInt(), "TUNNEL_KEY");
                program.invokeMember("setTunnel", (Object) null);
                assertEquals(-22, program.execute((Object) PACKET).asLong());
            }
        }
    }

    @Test
    void receivedOptionsAreReadableButNotWritable() throws IOException {
        for (String engine : ENGINES) {
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).build()) {
                Value read = program(context, READ_OPTIONS);
                read.invokeMember("setTunnel", "id=1,remote=10.0.0.9,opts=0102030405060708");
                assertEquals((8L << 32) | 0x04030201L, read.execute((Object) PACKET).asLong());
                Value write = program(context, SET_OPTIONS);
                write.invokeMember("setTunnel", "id=1,remote=10.0.0.9");
                assertEquals(-22, write.execute((Object) PACKET).asLong(), "only metadata the program set takes options");
            }
        }
    }

    @Test
    void theHostReadsTheMetadataTheProgramSet() throws IOException {
        for (String engine : ENGINES) {
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).build()) {
                Value program = context.eval(Source.newBuilder("bpf", Path.of("src/test/resources/packet-helpers/tunnel_opt_set.s").toFile()).build()).getMember("main");
                program.execute((Object) PACKET);
                Value tunnel = program.getMember("tunnel");
                assertEquals("tx", tunnel.getMember("mode").asString());
                assertEquals(0x1234, tunnel.getMember("id").asLong());
                assertEquals("10.0.0.2", tunnel.getMember("remote").asString());
                assertEquals("10.0.0.1", tunnel.getMember("local").asString());
                assertEquals(64, tunnel.getMember("ttl").asInt());
                assertEquals(3, tunnel.getMember("tos").asInt());
                assertEquals(0xf805, tunnel.getMember("flags").asInt());
                assertEquals(8, tunnel.getMember("options").getArraySize());
                assertEquals(8, tunnel.getMember("options").getArrayElement(0).asInt());
            }
        }
    }

    @Test
    void aBadTunnelTextIsOneLineNamingTheField() throws IOException {
        try (Context context = Context.newBuilder("bpf").build()) {
            Value program = program(context, READ_KEY);
            PolyglotException e = assertThrows(PolyglotException.class, () -> program.invokeMember("setTunnel", "id=1,remote=10.0.0.1,local=::1"));
            assertEquals("tunnel: remote and local must both be IPv4 or both IPv6", e.getMessage());
            e = assertThrows(PolyglotException.class, () -> program.invokeMember("setTunnel", "ttl=300"));
            assertEquals("tunnel: ttl must be between 0 and 255", e.getMessage());
            e = assertThrows(PolyglotException.class, () -> program.invokeMember("setTunnel", "remote=example.com"));
            assertEquals("tunnel: remote 'example.com' is not an IPv4 or IPv6 address", e.getMessage());
        }
    }

    @Test
    void bpfRunTakesTheTunnelAndPrintsWhatTheRunLeft() {
        for (String engine : ENGINES) {
            KernelEngineTest.Outcome run = KernelEngineTest.bpf("run", "src/test/resources/packet-helpers/tunnel_opt_set.s", "--packet", KernelEngineTest.README_PACKET,
                            "--engine", engine, "--tunnel", "id=9,remote=fe80::1,local=fe80::2,label=7");
            assertEquals(0, run.exit(), run.err());
            assertTrue(run.out().contains("tunnel: tx id=4660,remote=10.0.0.2,local=10.0.0.1,tos=3,ttl=64,flags=0xf805,opts=0807060504030201\n"), run.out());
            KernelEngineTest.Outcome bad = KernelEngineTest.bpf("run", "src/test/resources/packet-helpers/tunnel_opt_set.s", "--packet", KernelEngineTest.README_PACKET,
                            "--engine", engine, "--tunnel", "id=x");
            assertEquals(1, bad.exit(), bad.out());
            assertEquals("tunnel: id 'x' is not a number", bad.err().strip().replaceFirst("^bpf: ", ""));
        }
    }
}
