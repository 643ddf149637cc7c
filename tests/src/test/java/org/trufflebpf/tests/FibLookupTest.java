package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * bpf_fib_lookup against the routing table in src/test/resources/fib/network.fib, from tc and XDP, on both
 * engines. The kernel engine cannot see our table, so each case's result is what net/core/filter.c's
 * bpf_ipv4/ipv6_fib_lookup documents for that table: the BPF_FIB_LKUP_RET_* code and one field of struct
 * bpf_fib_lookup after the call.
 */
class FibLookupTest {
    private static final Path TABLE = Path.of("src/test/resources/fib/network.fib");
    private static final String[] ENGINES = {"interpreter", "native"};
    private static final byte[] PACKET = HexFormat.of().parseHex(KernelEngineTest.README_PACKET);

    /** One lookup: the params' stores, plen, flags, the field read after (offset, bytes), and r0 and the field expected. */
    record Case(String name, String stores, int plen, int flags, int fieldOffset, int fieldSize, long result, long field) {
    }

    private static String v4(int offset, String address) {
        byte[] b = HexFormat.of().parseHex(address);
        long value = (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (long) (b[3] & 0xff) << 24;
        return String.format("    stw [%%r10-%d], 0x%x%n", 64 - offset, value);
    }

    private static String params(int family, int ifindex, String v4Dst) {
        return String.format("    stb [%%r10-64], %d%n    stw [%%r10-56], %d%n", family, ifindex) + (v4Dst == null ? "" : v4(32, v4Dst));
    }

    /** The little-endian u32 a load of these 4 bytes gives. */
    private static long le(String hex) {
        return Integer.toUnsignedLong(Integer.reverseBytes((int) Long.parseLong(hex, 16)));
    }

    private static final int IFINDEX = 8;
    private static final int METRIC = 12;
    private static final int SRC = 16;
    private static final int DST = 32;
    private static final int SMAC = 52;
    private static final int DMAC = 58;
    private static final int MTU = 6;

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("a neighbour on a connected route: SUCCESS, its MAC", params(2, 1, "0a000002"), 64, 0, DMAC, 2, 0, 0xaaaa));
        cases.add(new Case("the source MAC is the output device's", params(2, 1, "0a000002"), 64, 0, SMAC, 4, 0, le("02000000")));
        cases.add(new Case("rt_metric is the route's", params(2, 1, "0a000002"), 64, 0, METRIC, 4, 0, 100));
        cases.add(new Case("a gateway route: SUCCESS, the gateway in ipv4_dst", params(2, 1, "0a010203"), 64, 0, DST, 4, 0, le("0a0100fe")));
        cases.add(new Case("a gateway route: the output ifindex", params(2, 1, "0a010203"), 64, 0, IFINDEX, 4, 0, 2));
        cases.add(new Case("the longest prefix wins over the default route", params(2, 1, "0a010203"), 64, 0, METRIC, 4, 0, 7));
        cases.add(new Case("no neighbour: NO_NEIGH, ifindex already set", params(2, 1, "0a010505"), 64, 0, IFINDEX, 4, 7, 2));
        cases.add(new Case("BPF_FIB_LOOKUP_SKIP_NEIGH: SUCCESS without MACs", params(2, 1, "0a010505"), 64, 4, DMAC, 2, 0, 0));
        cases.add(new Case("the default route's gateway has no neighbour: NO_NEIGH", params(2, 1, "08080808"), 64, 0, DST, 4, 7, le("0a0000fe")));
        cases.add(new Case("blackhole route: BLACKHOLE", params(2, 1, "c0000201"), 64, 0, IFINDEX, 4, 1, 1));
        cases.add(new Case("unreachable route: UNREACHABLE", params(2, 1, "c6336401"), 64, 0, IFINDEX, 4, 2, 1));
        cases.add(new Case("prohibit route: PROHIBIT", params(2, 1, "cb007101"), 64, 0, IFINDEX, 4, 3, 1));
        cases.add(new Case("a local address: NOT_FWDED", params(2, 1, "0a000001"), 64, 0, IFINDEX, 4, 4, 1));
        cases.add(new Case("BPF_FIB_LOOKUP_DIRECT skips the local table: the connected route, no neighbour", params(2, 1, "0a000001"), 64, 1, IFINDEX, 4, 7, 1));
        cases.add(new Case("an input device without forwarding: FWD_DISABLED", params(2, 3, "0a000002"), 64, 0, IFINDEX, 4, 5, 3));
        cases.add(new Case("an unknown input device: -ENODEV", params(2, 9, "0a000002"), 64, 0, IFINDEX, 4, -19, 9));
        cases.add(new Case("a family other than AF_INET/AF_INET6: -EAFNOSUPPORT", params(7, 1, "0a000002"), 64, 0, IFINDEX, 4, -97, 1));
        cases.add(new Case("plen below sizeof(struct bpf_fib_lookup): -EINVAL", params(2, 1, "0a000002"), 60, 0, IFINDEX, 4, -22, 1));
        cases.add(new Case("an unknown flag: -EINVAL", params(2, 1, "0a000002"), 64, 64, IFINDEX, 4, -22, 1));
        cases.add(new Case("DIRECT|TBID: the table given", params(2, 1, "ac100101") + "    stw [%r10-16], 100\n", 64, 1 | 8 | 4, IFINDEX, 4, 0, 2));
        cases.add(new Case("DIRECT|TBID: a table that does not exist: NOT_FWDED", params(2, 1, "ac100101") + "    stw [%r10-16], 99\n", 64, 1 | 8, IFINDEX, 4, 4, 1));
        cases.add(new Case("without DIRECT another table is not consulted", params(2, 1, "ac100101"), 64, 4, DST, 4, 0, le("0a0000fe")));
        cases.add(new Case("tot_len above the output MTU: FRAG_NEEDED with mtu_result", params(2, 1, "0a010203") + "    sth [%r10-58], 1450\n", 64, 0, MTU, 2, 8, 1400));
        cases.add(new Case("tot_len within the MTU: SUCCESS with mtu_result", params(2, 1, "0a010203") + "    sth [%r10-58], 1000\n", 64, 0, MTU, 2, 0, 1400));
        cases.add(new Case("BPF_FIB_LOOKUP_SRC fills a zero source from the device's address", params(2, 1, "0a010203"), 64, 16, SRC, 4, 0, le("0a010001")));
        cases.add(new Case("BPF_FIB_LOOKUP_SRC on the default route: the address of its device (dev 1)", params(2, 1, "08080808"), 64, 16 | 4, SRC, 4, 0, le("0a000001")));
        String v6 = "    stb [%r10-64], 10\n    stw [%r10-56], 1\n    stw [%r10-32], 0xb80d0120\n    stw [%r10-20], 0x05000000\n";
        cases.add(new Case("IPv6: a gateway route, its neighbour", v6, 64, 0, DMAC, 2, 0, 0xcccc));
        cases.add(new Case("IPv6: the gateway in ipv6_dst", v6, 64, 0, DST, 4, 0, le("fe800000")));
        cases.add(new Case("IPv6: BPF_FIB_LOOKUP_SRC and no IPv6 address on the output device: NO_SRC_ADDR", v6, 64, 16, IFINDEX, 4, 9, 2));
        cases.add(new Case("IPv6: no route: NOT_FWDED", "    stb [%r10-64], 10\n    stw [%r10-56], 1\n    stw [%r10-32], 0x00000220\n", 64, 0, IFINDEX, 4, 4, 1));
        return cases;
    }

    private static String program(Case c, String type) {
        StringBuilder text = new StringBuilder(".program main " + type + "\n    mov %r6, %r1\n");
        for (int offset = -64; offset < 0; offset += 8) {
            text.append("    stdw [%r10").append(offset).append("], 0\n");
        }
        text.append(c.stores());
        text.append(String.format("    mov %%r1, %%r6%n    mov %%r2, %%r10%n    add %%r2, -64%n    mov %%r3, %d%n    mov %%r4, %d%n    call fib_lookup%n", c.plen(), c.flags()));
        text.append(String.format("    mov %%r7, %%r0%n    %s %%r0, [%%r10-%d]%n    exit%n", c.fieldSize() == 4 ? "ldxw" : "ldxh", 64 - c.fieldOffset()));
        return text.toString().replace("    mov %r7, %r0\n", "    stxdw [%r10-72], %r0\n");
    }

    private static String programReturningResult(Case c, String type) {
        return program(c, type).replaceFirst("(?s)    stxdw \\[%r10-72\\], %r0\n.*$", "    exit\n");
    }

    @TestFactory
    Stream<DynamicTest> eachLookupGivesTheKernelsResultAndField() throws IOException {
        String table = Files.readString(TABLE);
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases()) {
            for (String engine : ENGINES) {
                for (String type : new String[] {"tc", "xdp"}) {
                    tests.add(DynamicTest.dynamicTest(c.name() + " (" + type + ", " + engine + ")", () -> {
                        try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).option("bpf.Fib", table).build()) {
                            long result = context.eval(Source.create("bpf", programReturningResult(c, type))).getMember("main").execute((Object) PACKET).asLong();
                            assertEquals(c.result(), result, "r0");
                            long field = context.eval(Source.create("bpf", program(c, type))).getMember("main").execute((Object) PACKET).asLong();
                            assertEquals(c.field(), field, "the field at offset " + c.fieldOffset());
                        }
                    }));
                }
            }
        }
        return tests.stream();
    }

    @Test
    void tcWithoutTotLenChecksThePacketAgainstTheOutputDevice() throws IOException {
        // A 1420-byte packet fits dev 1 (1500) but not dev 2 (1400 + 14 + 4): FRAG_NEEDED, mtu_result 1400.
        Case toDev2 = new Case("", params(2, 1, "0a010203"), 64, 0, MTU, 2, 8, 1400);
        byte[] big = new byte[1420];
        System.arraycopy(PACKET, 0, big, 0, PACKET.length);
        for (String engine : ENGINES) {
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).option("bpf.Fib", Files.readString(TABLE)).build()) {
                assertEquals(8, context.eval(Source.create("bpf", programReturningResult(toDev2, "tc"))).getMember("main").execute((Object) big).asLong());
                assertEquals(1400, context.eval(Source.create("bpf", program(toDev2, "tc"))).getMember("main").execute((Object) big).asLong());
                assertEquals(0, context.eval(Source.create("bpf", programReturningResult(toDev2, "tc"))).getMember("main").execute((Object) PACKET).asLong());
            }
        }
    }

    @Test
    void withoutATableEveryLookupFindsNoDevice() throws IOException {
        try (Context context = Context.newBuilder("bpf").build()) {
            assertEquals(-19, context.eval(Source.create("bpf", programReturningResult(cases().get(0), "xdp"))).getMember("main").execute((Object) PACKET).asLong());
        }
    }

    @Test
    void aBadTableIsOneLineNamingItsLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Context.newBuilder("bpf").option("bpf.Fib", "dev 1 mac 02:00:00:00:00:01\nroute 10.0.0.0/33 dev 1\n").build().close());
        assertTrue(e.getMessage().contains("fib line 2 'route 10.0.0.0/33 dev 1': 33 is not between 0 and 32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Context.newBuilder("bpf").option("bpf.Fib", "route 10.0.0.0/8 dev 4\n").build().close());
        assertTrue(e.getMessage().contains("a route uses dev 4, which no dev line declares"), e.getMessage());
    }

    @Test
    void bpfRunTakesTheTableFromAFile() throws IOException {
        Path program = Files.createTempFile("fib", ".s");
        try {
            Files.writeString(program, programReturningResult(cases().get(3), "xdp"));
            KernelEngineTest.Outcome run = KernelEngineTest.bpf("run", program.toString(), "--packet", KernelEngineTest.README_PACKET, "--fib", TABLE.toString());
            assertEquals(0, run.exit(), run.err());
            assertTrue(run.out().startsWith("r0 = 0 (0x0)"), run.out());
            KernelEngineTest.Outcome bad = KernelEngineTest.bpf("run", program.toString(), "--packet", KernelEngineTest.README_PACKET, "--fib", program.toString());
            // A table that does not parse is a usage error: its one line, then the usage.
            assertEquals(2, bad.exit(), bad.out());
            assertEquals("bpf run: fib line 1 '.program main xdp': expected dev, route, neigh or local", bad.err().lines().filter(l -> l.startsWith("bpf run:")).findFirst().orElse(bad.err()));
        } finally {
            Files.delete(program);
        }
    }
}
