package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;
import org.trufflebpf.kernel.KernelEngineService;
import org.trufflebpf.runtime.maps.Errno;

/**
 * BPF_MAP_TYPE_LPM_TRIE against the kernel: {@code examples/c/lpm_ops.c} plays updates, deletes and lookups from
 * the packet and returns each helper's result; {@code examples/c/lpm_acl.c} is an XDP source-address ACL. The
 * expected results were recorded on Linux 6.18 (the kernel engine); where bpf(2) works (and TRUFFLEBPF_NO_KERNEL is
 * not 1) the kernel engine is run again and must still give them.
 */
class LpmTrieTest {
    private static final int LOOKUP = 0;
    private static final int UPDATE = 1;
    private static final int DELETE = 2;
    private static final long ANY = 0;
    private static final long NOEXIST = 1;
    private static final long EXIST = 2;
    private static final long F_LOCK = 4;
    private static final String NONE = "none";

    private static List<String> engines() {
        List<String> engines = new ArrayList<>(List.of("interpreter", "native"));
        String reason = new KernelEngineService().unavailableReason();
        if (reason == null && !"1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL"))) {
            engines.add("kernel");
        }
        return engines;
    }

    private static Source object(String name) {
        return Source.newBuilder("bpf", new File(KernelEngineTest.ROOT.toFile(), "examples/c/" + name)).buildLiteral();
    }

    /** struct command of lpm_ops.c: op, flags, {prefixlen, 4 data bytes}, u64 value. */
    private static byte[] command(int op, long flags, long prefixLength, int a, int b, int c, int d, long value) {
        ByteBuffer packet = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        packet.put(0, (byte) op).putInt(4, (int) flags).putInt(8, (int) prefixLength);
        packet.put(12, (byte) a).put(13, (byte) b).put(14, (byte) c).put(15, (byte) d).putLong(16, value);
        return packet.array();
    }

    /** The helper results as lpm_ops returns them (u32; lookups: the value or "none"). */
    private static String result(int op, long r0) {
        int value = (int) r0;
        if (op == LOOKUP) {
            return value == -1 ? NONE : Integer.toString(value);
        }
        return value < 0 ? Errno.name(value) : Integer.toString(value);
    }

    private static final byte[][] SEQUENCE = {
        command(UPDATE, ANY, 8, 10, 0, 0, 0, 1),
        command(UPDATE, NOEXIST, 16, 10, 1, 0, 0, 2),
        command(UPDATE, NOEXIST, 16, 10, 1, 0, 0, 3),
        command(UPDATE, EXIST, 16, 10, 2, 0, 0, 4),
        command(UPDATE, F_LOCK, 24, 10, 1, 2, 0, 5),
        command(UPDATE, ANY, 33, 10, 1, 2, 3, 5),
        command(LOOKUP, 0, 32, 10, 1, 2, 3, 0),
        command(LOOKUP, 0, 32, 10, 9, 9, 9, 0),
        command(LOOKUP, 0, 8, 10, 1, 2, 3, 0),
        command(LOOKUP, 0, 32, 11, 0, 0, 0, 0),
        command(UPDATE, ANY, 0, 0, 0, 0, 0, 9),
        command(LOOKUP, 0, 32, 11, 0, 0, 0, 0),
        command(UPDATE, ANY, 24, 10, 1, 2, 0, 5),
        // max_entries is 4: a fifth prefix finds no room.
        command(UPDATE, ANY, 16, 192, 168, 0, 0, 6),
        // The same /16 with other bits after the prefix replaces the entry (and its stored key bytes).
        command(UPDATE, ANY, 16, 10, 1, 255, 255, 7),
        command(LOOKUP, 0, 32, 10, 1, 200, 1, 0),
        command(DELETE, 0, 17, 10, 1, 0, 0, 0),
        command(DELETE, 0, 40, 10, 0, 0, 0, 0),
        command(DELETE, 0, 8, 10, 0, 0, 0, 0),
        command(LOOKUP, 0, 32, 10, 9, 9, 9, 0),
        command(DELETE, 0, 8, 10, 0, 0, 0, 0),
        command(UPDATE, EXIST, 1, 128, 0, 0, 0, 8),
        command(UPDATE, NOEXIST, 1, 128, 0, 0, 0, 8),
        // A lookup's prefix length beyond the data's 32 bits matches nothing (Linux 6.18), a shorter one limits the match.
        command(LOOKUP, 0, 0xffffffffL, 10, 1, 2, 3, 0),
        command(LOOKUP, 0, 31, 10, 1, 2, 3, 0),
        command(LOOKUP, 0, 32, 200, 1, 2, 3, 0),
    };

    /** Recorded with the kernel engine on Linux 6.18. */
    private static final List<String> KERNEL_RESULTS = List.of("0", "0", "EEXIST", "ENOENT", "EINVAL", "EINVAL", "2", "1", "1", NONE, "0", "9", "0", "ENOSPC",
                    "0", "7", "ENOENT", "EINVAL", "0", "9", "ENOENT", "ENOENT", "0", NONE, "5", "8");
    /** The keys as the host iterates them after the sequence: the kernel's get_next_key order (bpftool map dump). */
    private static final List<String> KERNEL_KEYS = List.of("18/0a010200", "10/0a01ffff", "01/80000000", "00/00000000");

    private static String keyText(Value key) {
        byte[] bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(key.asLong()).array();
        return HexFormat.of().formatHex(bytes, 0, 1) + "/" + HexFormat.of().formatHex(bytes, 4, 8);
    }

    @Test
    void updatesDeletesAndLongestPrefixLookupsGiveTheKernelsResultsAndKeyOrderOnEveryEngine() {
        Map<String, List<String>> all = new LinkedHashMap<>();
        for (String engine : engines()) {
            List<String> results = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).build()) {
                Value module = context.eval(object("lpm_ops.o"));
                Value program = module.getMember("lpm_ops");
                for (byte[] command : SEQUENCE) {
                    results.add(result(command[0], program.execute((Object) command).asLong()));
                }
                Value iterator = module.getMember("prefixes").getHashEntriesIterator();
                while (iterator.hasIteratorNextElement()) {
                    keys.add(keyText(iterator.getIteratorNextElement().getArrayElement(0)));
                }
            }
            all.put(engine, results);
            all.put(engine + " keys", keys);
        }
        for (String engine : engines()) {
            assertEquals(KERNEL_RESULTS, all.get(engine), engine + " " + all);
            assertEquals(KERNEL_KEYS, all.get(engine + " keys"), engine + " " + all);
        }
    }

    /** An IPv4/TCP frame from {@code a.b.c.d}. */
    private static byte[] frameFrom(int a, int b, int c, int d) {
        byte[] frame = HexFormat.of().parseHex(KernelEngineTest.README_PACKET);
        frame[26] = (byte) a;
        frame[27] = (byte) b;
        frame[28] = (byte) c;
        frame[29] = (byte) d;
        return frame;
    }

    private static long key(int prefixLength, int a, int b, int c, int d) {
        return ByteBuffer.wrap(new byte[] {(byte) prefixLength, 0, 0, 0, (byte) a, (byte) b, (byte) c, (byte) d}).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static long rule(int action, int id) {
        return (long) id << 32 | action;
    }

    @Test
    void theAclDropsAndPassesBySourcePrefixAndCountsTheVerdictsLikeTheKernel() {
        for (String engine : engines()) {
            List<String> seen = new ArrayList<>();
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).build()) {
                Value module = context.eval(object("lpm_acl.o"));
                Value acl = module.getMember("acl_v4");
                acl.putHashEntry(key(8, 10, 0, 0, 0), rule(1, 100));
                acl.putHashEntry(key(24, 10, 1, 2, 0), rule(0, 101));
                acl.putHashEntry(key(32, 10, 1, 2, 66), rule(1, 102));
                acl.putHashEntry(key(12, 172, 16, 0, 0), rule(1, 103));
                Value program = module.getMember("xdp_acl");
                int[][] sources = {{10, 9, 9, 9}, {10, 1, 2, 3}, {10, 1, 2, 66}, {172, 31, 0, 1}, {172, 32, 0, 1}, {192, 168, 0, 1}};
                for (int[] s : sources) {
                    long verdict = program.execute((Object) frameFrom(s[0], s[1], s[2], s[3])).asLong();
                    seen.add(verdict + "@" + module.getMember("last_rule").getArrayElement(0).asLong());
                }
                Value stats = module.getMember("acl_stats");
                seen.add("stats " + stats.getArrayElement(0).asLong() + " " + stats.getArrayElement(1).asLong() + " " + stats.getArrayElement(2).asLong());
            }
            // XDP_DROP is 1, XDP_PASS 2; @ the id of the rule that decided last.
            assertEquals(List.of("1@100", "2@101", "1@102", "1@103", "2@103", "2@103", "stats 1 3 2"), seen, engine);
        }
    }

    /** 40 random prefixes (prefixlen/address) in the order they are inserted. */
    private static final String INSERTED = "12/bab00000 24/11e20b00 1/80000000 16/98280000 2/c0000000 4/40000000 6/08000000 7/14000000 "
                    + "3/40000000 24/2a3af400 17/0cb18000 6/5c000000 7/0a000000 3/e0000000 6/7c000000 31/49b64a08 "
                    + "12/f2a00000 32/9474031b 7/16000000 2/80000000 12/26e00000 9/8f000000 3/80000000 24/24ede600 "
                    + "32/6bf46c69 7/a0000000 24/c6f87700 4/60000000 9/3f800000 32/e00902c7 12/57100000 5/b0000000 "
                    + "2/40000000 24/0f21dd00 9/86000000 2/00000000 12/77300000 1/00000000 31/5c90a958 5/18000000";
    /** The same prefixes in the order BPF_MAP_GET_NEXT_KEY walked them on Linux 6.18, whatever the insertion order. */
    private static final String KERNEL_NEXT_KEY_ORDER = "7/0a000000 6/08000000 17/0cb18000 24/0f21dd00 24/11e20b00 7/14000000 7/16000000 5/18000000 "
                    + "24/24ede600 12/26e00000 24/2a3af400 9/3f800000 2/00000000 31/49b64a08 4/40000000 12/57100000 "
                    + "31/5c90a958 6/5c000000 3/40000000 32/6bf46c69 4/60000000 12/77300000 6/7c000000 2/40000000 "
                    + "1/00000000 9/86000000 9/8f000000 32/9474031b 16/98280000 3/80000000 7/a0000000 5/b0000000 "
                    + "12/bab00000 2/80000000 24/c6f87700 32/e00902c7 12/f2a00000 3/e0000000 2/c0000000 1/80000000";

    private static long key(String text) {
        String[] parts = text.split("/");
        int address = Integer.parseUnsignedInt(parts[1], 16);
        return key(Integer.parseInt(parts[0]), address >>> 24, address >>> 16 & 0xff, address >>> 8 & 0xff, address & 0xff);
    }

    @Test
    void hostIterationWalksFortyPrefixesInTheKernelsGetNextKeyOrder() {
        for (String engine : engines()) {
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).build()) {
                Value module = context.eval(Source.newBuilder("bpf", """
                                .map t lpm_trie key=8 value=8 entries=64 flags=1
                                .program p xdp
                                    mov %r0, 2
                                    exit
                                """, "t.s").buildLiteral());
                Value trie = module.getMember("t");
                for (String prefix : INSERTED.split(" ")) {
                    trie.putHashEntry(key(prefix), 1);
                }
                // A run on the kernel engine copies the entries in and reads them back in the kernel's order.
                module.getMember("p").execute((Object) new byte[64]);
                List<String> keys = new ArrayList<>();
                Value iterator = trie.getHashEntriesIterator();
                while (iterator.hasIteratorNextElement()) {
                    String text = keyText(iterator.getIteratorNextElement().getArrayElement(0));
                    keys.add(Integer.parseInt(text.substring(0, 2), 16) + text.substring(2));
                }
                assertEquals(List.of(KERNEL_NEXT_KEY_ORDER.split(" ")), keys, engine);
            }
        }
    }

    @Test
    void aKeyRunningPastTheStackForTheTriesKeySizeIsRejectedByTheVerifier() {
        // key_size 8 (prefixlen + 4 bytes) read from the last 4 bytes of the stack: the key runs past the frame.
        try (Context context = Context.newBuilder("bpf").build()) {
            PolyglotException e = assertThrows(PolyglotException.class, () -> context.eval(Source.newBuilder("bpf", """
                            .map t lpm_trie key=8 value=8 entries=4 flags=1
                            .program p xdp
                                stw [%r10-4], 32
                                lddw %r1, map:t
                                mov %r2, %r10
                                add %r2, -4
                                call 1
                                mov %r0, 2
                                exit
                            """, "t.s").buildLiteral()));
            assertTrue(e.getMessage().contains("insn 5 'call 1': the 8-byte key of map 't' at r2 (r10-4) does not fit in the stack frame"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }

    @Test
    void bpfRunOfTheAclWithAnEmptyTriePassesAndPrintsTheSameMapsOnEveryEngine() {
        String file = KernelEngineTest.ROOT.resolve("examples/c/lpm_acl.o").toString();
        KernelEngineTest.Outcome first = null;
        for (String engine : engines()) {
            KernelEngineTest.Outcome run = KernelEngineTest.bpf("run", file, "--maps", "--packet", KernelEngineTest.README_PACKET, "--engine", engine);
            assertEquals(0, run.exit(), run.err());
            assertTrue(run.out().startsWith("r0 = 2 (0x2) XDP_PASS\n"), run.out());
            assertTrue(run.out().contains("map acl_v4 (lpm_trie"), run.out());
            if (first == null) {
                first = run;
            } else {
                assertEquals(first, run, engine + " against the interpreter");
            }
        }
    }

    @Test
    void anLpmTrieWithoutNoPreallocIsRefusedAtLoadAsTheKernelRefusesIt() {
        try (Context context = Context.newBuilder("bpf").build()) {
            PolyglotException e = assertThrows(PolyglotException.class, () -> context.eval(Source.newBuilder("bpf", """
                            .map t lpm_trie key=8 value=8 entries=4
                            .program p xdp
                                mov %r0, 2
                                exit
                            """, "t.s").buildLiteral()));
            assertTrue(e.getMessage().contains("map 't': an LPM trie needs map_flags BPF_F_NO_PREALLOC"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
        try (Context context = Context.newBuilder("bpf").build()) {
            PolyglotException e = assertThrows(PolyglotException.class, () -> context.eval(Source.newBuilder("bpf", """
                            .map t lpm_trie key=4 value=8 entries=4 flags=1
                            .program p xdp
                                mov %r0, 2
                                exit
                            """, "t.s").buildLiteral()));
            assertTrue(e.getMessage().contains("key size of an LPM trie must be 5 to 260"), e.getMessage());
        }
    }
}
