package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No byte of one context is visible from another. Context A smears a recognisable pattern over everything it
 * owns: all eight stack frames of its call chain, a map value, a hash entry, its packet and the packet's
 * headroom. Context B then reads everything its programs can reach: every frame byte it never wrote, its packet
 * and headroom (after moving the head back), its fresh maps; unverified programs also aim at each of A's
 * addresses directly, through pointers laundered from B's own stack and map values, through a map, through
 * helpers that copy memory, and as a map to look up. B runs right after A on the same thread (where the interpreter reuses the thread's
 * stack and native code the machine stack), and while A is still running on another thread with the pattern live
 * in its frames, verified and unverified, on every pairing of engines. B never sees a fragment of the pattern,
 * and every aimed access stops B's run.
 */
class CrossContextVisibilityTest {
    private static final long PATTERN = 0x5ac7e7c0ffee5ea5L;
    private static final int FRAMES = 8;
    private static final int FRAME = 512;
    /** The headroom xdp_adjust_head can uncover: the test run's 256 bytes less the struct xdp_frame the kernel keeps there. */
    private static final int HEADROOM = 256 - 40;
    private static final int PACKET = 64;

    private static List<Arguments> enginePairs() {
        return List.of(Arguments.of("interpreter", "interpreter"), Arguments.of("native", "native"), Arguments.of("interpreter", "native"),
                        Arguments.of("native", "interpreter"));
    }

    /** A: the pattern everywhere, the addresses it lives at in {@code addresses}; with mode 1 it then spins until {@code stop}. */
    private static String smearing() {
        StringBuilder asm = new StringBuilder("""
                        .map values array key=4 value=512 entries=1
                        .map entries hash key=4 value=64 entries=4
                        .map addresses array key=4 value=128 entries=1
                        .map mode array key=4 value=8 entries=1
                        .map started array key=4 value=8 entries=1
                        .map stop array key=4 value=8 entries=1
                        .program smear xdp
                            mov %r9, %r1
                        """);
        asm.append("    lddw %r8, ").append(PATTERN).append('\n');
        asm.append("    lddw %r7, map_value:addresses+0\n");
        asm.append("    lddw %r6, map_value:values+0\n");
        asm.append("    stxdw [%r7+64], %r6\n");
        asm.append("    lddw %r1, map:values\n    stxdw [%r7+88], %r1\n");
        for (int offset = 0; offset < FRAME; offset += 8) {
            asm.append("    stxdw [%r6+").append(offset).append("], %r8\n");
        }
        // A hash entry whose key and value come from the smeared map value.
        asm.append("    lddw %r1, map:entries\n    mov %r2, %r6\n    mov %r3, %r6\n    mov %r4, 0\n    call map_update_elem\n");
        // The packet and its headroom.
        asm.append("    mov %r1, %r9\n    mov %r2, -").append(HEADROOM).append("\n    call xdp_adjust_head\n");
        asm.append("    ldxw %r2, [%r9+0]\n    stxdw [%r7+72], %r2\n    stxdw [%r7+80], %r9\n");
        for (int offset = 0; offset < HEADROOM + PACKET; offset += 8) {
            asm.append("    stxdw [%r2+").append(offset).append("], %r8\n");
        }
        for (int depth = 0; depth < FRAMES; depth++) {
            if (depth > 0) {
                // A subprogram starts with r6-r9 at zero: it loads the pattern and the address table again.
                asm.append("level").append(depth).append(":\n");
                asm.append("    lddw %r8, ").append(PATTERN).append('\n');
                asm.append("    lddw %r7, map_value:addresses+0\n");
            }
            for (int offset = 8; offset <= FRAME; offset += 8) {
                asm.append("    stxdw [%r10-").append(offset).append("], %r8\n");
            }
            asm.append("    stxdw [%r7+").append(8 * depth).append("], %r10\n");
            if (depth < FRAMES - 1) {
                asm.append("    call local level").append(depth + 1).append("\n    exit\n");
            }
        }
        asm.append("""
                            lddw %r1, map_value:started+0
                            stdw [%r1+0], 1
                            lddw %r1, map_value:mode+0
                            ldxdw %r0, [%r1+0]
                            jeq %r0, 0, done
                            lddw %r6, map_value:stop+0
                        spin:
                            ldxdw %r0, [%r6+0]
                            jeq %r0, 0, spin
                        done:
                            mov %r0, 2
                            exit
                        """);
        return asm.toString();
    }

    /** B, unverified: copies every frame byte of its call chain, its headroom and packet into its maps; and the probes. */
    private static String reading() {
        StringBuilder asm = new StringBuilder();
        for (int depth = 0; depth < FRAMES; depth++) {
            asm.append(".map frame").append(depth).append(" array key=4 value=512 entries=1\n");
        }
        asm.append(".map packet_dump array key=4 value=").append(HEADROOM + PACKET).append(" entries=1\n");
        asm.append(".map fresh hash key=4 value=64 entries=4\n");
        asm.append(".program dump xdp\n    mov %r9, %r1\n");
        for (int depth = 0; depth < FRAMES; depth++) {
            if (depth > 0) {
                asm.append("level").append(depth).append(":\n");
            }
            asm.append("    lddw %r6, map_value:frame").append(depth).append("+0\n");
            for (int offset = 8; offset <= FRAME; offset += 8) {
                asm.append("    ldxdw %r0, [%r10-").append(offset).append("]\n    stxdw [%r6+").append(FRAME - offset).append("], %r0\n");
            }
            if (depth < FRAMES - 1) {
                asm.append("    call local level").append(depth + 1).append('\n');
            }
            if (depth == 0) {
                // Still in the entry function, where the context's data loads are rewritten for unverified code.
                asm.append("    mov %r1, %r9\n    mov %r2, -").append(HEADROOM).append("\n    call xdp_adjust_head\n");
                asm.append("    ldxw %r2, [%r9+0]\n    lddw %r6, map_value:packet_dump+0\n");
                for (int offset = 0; offset < HEADROOM + PACKET; offset += 8) {
                    asm.append("    ldxdw %r0, [%r2+").append(offset).append("]\n    stxdw [%r6+").append(offset).append("], %r0\n");
                }
                asm.append("    mov %r0, 2\n");
            }
            asm.append("    exit\n");
        }
        asm.append("""
                        .program direct raw
                            ldxdw %r0, [%r1+0]
                            exit
                        .program from_stack raw
                            mov %r2, %r1
                            sub %r2, %r10
                            mov %r3, %r10
                            add %r3, %r2
                            ldxdw %r0, [%r3+0]
                            exit
                        .program from_map_value raw
                            lddw %r3, map_value:frame0+0
                            mov %r2, %r1
                            sub %r2, %r3
                            add %r3, %r2
                            ldxdw %r0, [%r3+0]
                            exit
                        .program through_a_map raw
                            lddw %r6, map_value:frame0+0
                            stxdw [%r6+0], %r1
                            ldxdw %r3, [%r6+0]
                            stdw [%r6+0], 0
                            ldxdw %r0, [%r3+0]
                            exit
                        .program copied_by_map_update raw
                            mov %r3, %r1
                            lddw %r1, map:frame1
                            lddw %r2, map_value:frame0+504
                            mov %r4, 0
                            call map_update_elem
                            exit
                        .program named_as_a_map raw
                            stw [%r10-4], 0
                            mov %r2, %r10
                            add %r2, -4
                            call map_lookup_elem
                            ldxdw %r0, [%r0+0]
                            exit
                        .program copied_by_trace_printk raw
                            mov %r2, 8
                            call trace_printk
                            exit
                        """);
        return asm.toString();
    }

    /** B, verified: its headroom and packet, as far as the verifier lets it read, into a map. */
    private static String verifiedReading() {
        StringBuilder asm = new StringBuilder("""
                        .map packet_dump array key=4 value=280 entries=1
                        .map fresh array key=4 value=512 entries=4
                        .program dump xdp
                            mov %r6, %r1
                            mov %r2, -216
                            call xdp_adjust_head
                            ldxw %r2, [%r6+0]
                            ldxw %r3, [%r6+4]
                            mov %r4, %r2
                            add %r4, 280
                            jgt %r4, %r3, out
                            lddw %r7, map_value:packet_dump+0
                        """);
        for (int offset = 0; offset < HEADROOM + PACKET; offset += 8) {
            asm.append("    ldxdw %r0, [%r2+").append(offset).append("]\n    stxdw [%r7+").append(offset).append("], %r0\n");
        }
        asm.append("out:\n    mov %r0, 2\n    exit\n");
        return asm.toString();
    }

    private static final List<String> PROBES = List.of("direct", "from_stack", "from_map_value", "through_a_map", "copied_by_map_update",
                    "copied_by_trace_printk", "named_as_a_map");

    private static Context context(String engine, boolean verify) {
        return BpfRunner.contextBuilder().option("bpf.Engine", engine).option("bpf.Verify", Boolean.toString(verify))
                        .option("bpf.InstructionLimit", "100000000000").out(OutputStream.nullOutputStream()).build();
    }

    private static byte[] packet(int fill) {
        byte[] packet = new byte[PACKET];
        Arrays.fill(packet, (byte) fill);
        return packet;
    }

    @ParameterizedTest(name = "A on {0}, B on {1}")
    @MethodSource("enginePairs")
    void noByteOfOneContextIsVisibleFromAnother(String engineA, String engineB) throws Exception {
        try (Context a = context(engineA, false); Context b = context(engineB, false); Context verified = context(engineB, true)) {
            Value smear = BpfRunner.evalAsm(a, smearing(), "smear.s");
            Value read = BpfRunner.evalAsm(b, reading(), "read.s");
            Value verifiedRead = BpfRunner.evalAsm(verified, verifiedReading(), "verified_read.s");

            // One after the other on this thread.
            assertEquals(2, smear.getMember("smear").execute(packet(0x22)).asLong());
            assertTrue(contains(bytes(smear.getMember("values").getArrayElement(0)), PATTERN), "A's map holds the pattern");
            assertEquals(1, smear.getMember("entries").getHashSize(), "A's hash entry");
            readEverything(read, verifiedRead);

            // While A spins on another thread with the pattern in all its frames.
            smear.getMember("mode").setArrayElement(0, 1L);
            smear.getMember("started").setArrayElement(0, 0L);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread spinning = new Thread(() -> {
                try {
                    smear.getMember("smear").execute(packet(0x22));
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            spinning.setDaemon(true);
            spinning.start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (smear.getMember("started").getArrayElement(0).asLong() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                }
                assertEquals(1, smear.getMember("started").getArrayElement(0).asLong(), "A is spinning");
                for (long address : addressesOf(smear)) {
                    for (String probe : PROBES) {
                        Value program = read.getMember(probe);
                        PolyglotException refused = assertThrows(PolyglotException.class, () -> program.execute(address),
                                        () -> probe + " read A's memory at 0x" + Long.toHexString(address));
                        assertTrue(refused.isGuestException() && !refused.isInternalError(), refused.toString());
                    }
                }
                readEverything(read, verifiedRead);
            } finally {
                smear.getMember("stop").setArrayElement(0, 1L);
                spinning.join(TimeUnit.SECONDS.toMillis(60));
            }
            assertFalse(spinning.isAlive());
            assertEquals(null, failure.get());
        }
    }

    @ParameterizedTest(name = "A on {0}, B on {1}")
    @MethodSource("enginePairs")
    void aClosedContextLeavesNothingInTheMemoryOfTheNextOne(String engineA, String engineB) {
        try (Context a = context(engineA, false)) {
            assertEquals(2, BpfRunner.evalAsm(a, smearing(), "smear.s").getMember("smear").execute(packet(0x22)).asLong());
        }
        try (Context b = context(engineB, false); Context verified = context(engineB, true)) {
            readEverything(BpfRunner.evalAsm(b, reading(), "read.s"), BpfRunner.evalAsm(verified, verifiedReading(), "verified_read.s"));
        }
    }

    /** Runs B's readers and checks what they copied (and B's own maps) holds no fragment of the pattern. */
    private static void readEverything(Value read, Value verifiedRead) {
        assertEquals(2, read.getMember("dump").execute(packet(0x11)).asLong());
        assertEquals(2, verifiedRead.getMember("dump").execute(packet(0x11)).asLong());
        List<byte[]> seen = new ArrayList<>();
        for (int depth = 0; depth < FRAMES; depth++) {
            seen.add(bytes(read.getMember("frame" + depth).getArrayElement(0)));
        }
        byte[] packetDump = bytes(read.getMember("packet_dump").getArrayElement(0));
        byte[] verifiedDump = bytes(verifiedRead.getMember("packet_dump").getArrayElement(0));
        // The readers did read: B's own packet bytes are where the packet starts after the headroom.
        for (byte[] dump : List.of(packetDump, verifiedDump)) {
            for (int i = HEADROOM; i < HEADROOM + PACKET; i++) {
                assertEquals(0x11, dump[i], "B's own packet byte " + (i - HEADROOM));
            }
        }
        seen.add(packetDump);
        seen.add(verifiedDump);
        for (int i = 0; i < 4; i++) {
            seen.add(bytes(verifiedRead.getMember("fresh").getArrayElement(i)));
        }
        assertEquals(0, read.getMember("fresh").getHashSize(), "B's hash map is empty");
        for (byte[] dump : seen) {
            assertFalse(containsFragment(dump), "B saw a fragment of A's pattern: " + hex(dump));
        }
    }

    /** Below each of A's eight frame tops and at each frame's bottom, its map value (start and middle), headroom, packet, context and map header. */
    private static List<Long> addressesOf(Value smear) {
        byte[] published = bytes(smear.getMember("addresses").getArrayElement(0));
        List<Long> addresses = new ArrayList<>();
        for (int depth = 0; depth < FRAMES; depth++) {
            long top = word(published, 8 * depth);
            addresses.add(top - 8);
            addresses.add(top - FRAME);
        }
        long value = word(published, 64);
        long headroom = word(published, 72);
        addresses.addAll(List.of(value, value + 256, headroom, headroom + HEADROOM, word(published, 80), word(published, 88)));
        for (long address : addresses) {
            assertTrue(address != 0, "A published its addresses");
        }
        return addresses;
    }

    private static long word(byte[] bytes, int offset) {
        return ByteBuffer.wrap(bytes, offset, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static byte[] bytes(Value value) {
        byte[] bytes = new byte[(int) value.getBufferSize()];
        value.readBuffer(0, bytes, 0, bytes.length);
        return bytes;
    }

    private static boolean contains(byte[] bytes, long word) {
        for (int i = 0; i + 8 <= bytes.length; i++) {
            if (word(bytes, i) == word) {
                return true;
            }
        }
        return false;
    }

    /** Any 3 consecutive bytes of the pattern (little-endian), anywhere. */
    private static boolean containsFragment(byte[] bytes) {
        byte[] pattern = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(PATTERN).array();
        for (int start = 0; start + 3 <= pattern.length; start++) {
            for (int i = 0; i + 3 <= bytes.length; i++) {
                if (bytes[i] == pattern[start] && bytes[i + 1] == pattern[start + 1] && bytes[i + 2] == pattern[start + 2]) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String hex(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            text.append(String.format("%02x", b & 0xff));
        }
        return text.toString();
    }
}
