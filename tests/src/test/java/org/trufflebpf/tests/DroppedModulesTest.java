package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A context that lives for days evaluates module after module: one that no one holds any more gives its native
 * code mappings, its map memory and its share of {@code bpf.MapMemoryLimit} back while the context lives (a
 * Cleaner frees it once it is collected). Whatever still holds a module keeps all of it: a map object alone, or
 * one of its programs in another module's prog array slot. Sources are not cached here: Truffle keeps the module
 * of a cached source while its cache entry lives (measured at up to 100 modules per context, freed with it).
 */
class DroppedModulesTest {
    private static final Path MAPS = Path.of("/proc/self/maps");

    /** 256 KiB of map memory and two programs with native code (one with a direct tail call). */
    private static String module(int round) {
        return """
                        .map values array key=4 value=4096 entries=64
                        .map jumps prog_array key=4 value=4 entries=1
                        .program caller socket
                            lddw %r2, map:jumps
                            mov %r3, 0
                            call tail_call
                            mov %r0, ROUND
                            exit
                        .program target socket
                            mov %r0, 42
                            exit
                        """.replace("ROUND", Integer.toString(round));
    }

    static List<String> engines() {
        return List.of("interpreter", "native");
    }

    private static long mappings() throws IOException {
        try (var lines = Files.lines(MAPS)) {
            return lines.count();
        }
    }

    /** A full collection, and a moment for the Cleaners it queued. */
    private static void collect() throws InterruptedException {
        System.gc();
        Thread.sleep(50);
    }

    private static final byte[] PACKET = new byte[64];

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void modulesNoOneHoldsGiveTheirMemoryAndCodeBackWhileTheContextLives(String engine) throws Exception {
        Assumptions.assumeTrue(Files.isReadable(MAPS), "needs Linux /proc/self/maps");
        // The limit holds 16 modules' maps at once: 170 modules load only if dropped ones give their share back
        // (collections every 10 modules keep the test from leaning on the collection a load near the limit makes).
        try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).option("bpf.MapMemoryLimit", Long.toString(16 * 270_000L)).build()) {
            for (int round = 0; round < 20; round++) {
                assertEquals(round, BpfRunner.evalAsmUncached(context, module(round), "dropped.s").getMember("caller").execute(PACKET).asLong());
                if (round % 10 == 0) {
                    collect();
                }
            }
            collect();
            long before = mappings();
            for (int round = 20; round < 170; round++) {
                assertEquals(round, BpfRunner.evalAsmUncached(context, module(round), "dropped.s").getMember("caller").execute(PACKET).asLong());
                if (round % 10 == 0) {
                    collect();
                }
            }
            collect();
            long grown = mappings() - before;
            // Kept, 150 native modules would hold 450 code mappings (and 40 MiB of maps the limit refuses).
            assertTrue(grown < 60, grown + " mappings more after 150 dropped modules in one context");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aModuleHeldOnlyThroughAMapObjectOrAProgArraySlotStaysWhole(String engine) throws Exception {
        try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).build()) {
            Value keeper = BpfRunner.evalAsm(context, module(1), "keeper.s");
            Value values = BpfRunner.evalAsm(context, module(2), "map_only.s").getMember("values");
            values.setArrayElement(3, new byte[4096]);
            keeper.getMember("jumps").setArrayElement(0, BpfRunner.evalAsm(context, module(3), "slot_only.s").getMember("target"));
            for (int round = 0; round < 50; round++) {
                // Churn: modules no one holds, so that collections and their Cleaners run.
                BpfRunner.evalAsmUncached(context, module(100 + round), "churn.s");
                if (round % 10 == 0) {
                    collect();
                }
            }
            collect();
            byte[] written = new byte[4096];
            Arrays.fill(written, (byte) 0x5a);
            values.setArrayElement(7, written);
            Value read = values.getArrayElement(7);
            for (int i = 0; i < 4096; i += 512) {
                assertEquals(0x5a, read.readBufferByte(i), "map memory of a module held through its map object");
            }
            assertEquals(42, keeper.getMember("caller").execute(PACKET).asLong(), "a program held only by a prog array slot still runs");
            keeper.getMember("jumps").removeArrayElement(0);
            assertEquals(1, keeper.getMember("caller").execute(PACKET).asLong());
        }
    }
}
