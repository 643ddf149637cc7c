package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.junit.jupiter.api.Test;

/**
 * All maps of one context together stay under {@code bpf.MapMemoryLimit}: a load that would pass it is refused
 * with a load error before anything is allocated, and a refused load gives its share back.
 */
class MapMemoryLimitTest {
    /** One 16 MiB array map (4096 entries of 4 KiB; keys round to 8 bytes: 4096 × 4104 bytes). */
    private static final String SIXTEEN_MIB = ".map big array key=4 value=4096 entries=4096\n.program p raw\nmov %r0, 7\nexit\n";
    private static final long MODULE_BYTES = 4096L * (8 + 4096);

    @Test
    void aLoadThatWouldPassTheContextsMapMemoryLimitIsRefusedWithTheFigures() {
        try (Context context = BpfRunner.contextBuilder().option("bpf.MapMemoryLimit", Long.toString(3 * MODULE_BYTES)).build()) {
            for (int i = 0; i < 3; i++) {
                assertEquals(7, BpfRunner.evalAsm(context, SIXTEEN_MIB, "m" + i + ".s").getMember("p").execute().asLong());
            }
            PolyglotException e = assertThrows(PolyglotException.class, () -> BpfRunner.evalAsm(context, SIXTEEN_MIB, "m3.s"));
            assertEquals("m3.s: its maps need " + MODULE_BYTES + " bytes, but the context holds " + 3 * MODULE_BYTES + " of its limit of " + 3 * MODULE_BYTES
                            + " (bpf.MapMemoryLimit)", e.getMessage());
        }
    }

    @Test
    void aRefusedLoadGivesItsShareOfTheLimitBack() {
        String rejected = SIXTEEN_MIB + ".program bad raw\nldxdw %r0, [%r10-8]\nexit\n";
        try (Context context = BpfRunner.contextBuilder().option("bpf.MapMemoryLimit", Long.toString(MODULE_BYTES)).build()) {
            for (int i = 0; i < 5; i++) {
                PolyglotException e = assertThrows(PolyglotException.class, () -> BpfRunner.evalAsm(context, rejected, "bad.s"));
                assertTrue(e.getMessage().contains("bad"), e.getMessage());
            }
            assertEquals(7, BpfRunner.evalAsm(context, SIXTEEN_MIB, "ok.s").getMember("p").execute().asLong());
        }
    }

    @Test
    void perCpuMapsCountOnceForEveryCpu() {
        String perCpu = ".map pc percpu_array key=4 value=4096 entries=1024\n.program p raw\nmov %r0, 7\nexit\n";
        long oneCpu = 1024L * (8 + 4096);
        try (Context context = BpfRunner.contextBuilder().option("bpf.Cpus", "4").option("bpf.MapMemoryLimit", Long.toString(4 * oneCpu - 1)).build()) {
            PolyglotException e = assertThrows(PolyglotException.class, () -> BpfRunner.evalAsm(context, perCpu, "pc.s"));
            assertTrue(e.getMessage().startsWith("pc.s: its maps need " + 4 * oneCpu + " bytes"), e.getMessage());
        }
    }

    @Test
    void aLimitThatIsNoPositiveNumberIsRefusedNamingTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> BpfRunner.contextBuilder().option("bpf.MapMemoryLimit", "-5").build().close());
        assertTrue(e.getMessage().contains("bpf.MapMemoryLimit takes a positive number of bytes, not '-5'"), e.getMessage());
    }
}
