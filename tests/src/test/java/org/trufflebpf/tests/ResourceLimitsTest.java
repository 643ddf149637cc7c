package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/**
 * What one context may hold is bounded, with a load error naming the limit: all maps together stay under
 * {@code bpf.MapMemoryLimit} (refused before anything is allocated; a refused load gives its share back), and
 * a program has at most the kernel's 256 functions on every engine, verified or not.
 */
class ResourceLimitsTest {
    /** One 16 MiB array map (4096 entries of 4 KiB; keys round to 8 bytes: 4096 × 4104 bytes). */
    private static final String SIXTEEN_MIB = ".map big array key=4 value=4096 entries=4096\n.program p raw\nmov %r0, 7\nexit\n";
    private static final long MODULE_BYTES = 4096L * (8 + 4096);

    @Test
    void aLoadThatWouldPassTheContextsMapMemoryLimitIsRefusedWithTheFigures() {
        try (Context context = BpfRunner.contextBuilder().option("bpf.MapMemoryLimit", Long.toString(3 * MODULE_BYTES)).build()) {
            // Held: a module no one holds gives its share back once it is collected (DroppedModulesTest).
            List<Value> held = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                held.add(BpfRunner.evalAsm(context, SIXTEEN_MIB, "m" + i + ".s"));
                assertEquals(7, held.get(i).getMember("p").execute().asLong());
            }
            PolyglotException e = assertThrows(PolyglotException.class, () -> BpfRunner.evalAsm(context, SIXTEEN_MIB, "m3.s"));
            assertEquals("m3.s: its maps need " + MODULE_BYTES + " bytes, but the context holds " + 3 * MODULE_BYTES + " of its limit of " + 3 * MODULE_BYTES
                            + " (bpf.MapMemoryLimit)", e.getMessage());
            assertEquals(3, held.size());
        }
    }

    @Test
    void aRefusedLoadGivesItsShareOfTheLimitBack() {
        // Its only program refused by the verifier: the whole load fails (a refused program beside a good one would not).
        String rejected = ".map big array key=4 value=4096 entries=4096\n.program bad raw\nldxdw %r0, [%r10-520]\nexit\n";
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

    /** A raw program whose entry calls {@code functions - 1} subprograms. */
    private static String withFunctions(int functions) {
        StringBuilder text = new StringBuilder(".program many raw\nmov %r0, 0\n");
        for (int i = 1; i < functions; i++) {
            text.append("call local f").append(i).append('\n');
        }
        text.append("exit\n");
        for (int i = 1; i < functions; i++) {
            text.append('f').append(i).append(":\nmov %r0, ").append(i).append("\nexit\n");
        }
        return text.toString();
    }

    @Test
    void aProgramWithMoreThanTheKernels256FunctionsIsRefusedOnEveryEngineVerifiedOrNot() {
        for (String engine : new String[] {"interpreter", "native"}) {
            for (String verify : new String[] {"true", "false"}) {
                try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).option("bpf.Verify", verify).build()) {
                    assertEquals(255, BpfRunner.evalAsm(context, withFunctions(256), "max.s").getMember("many").execute().asLong());
                    PolyglotException e = assertThrows(PolyglotException.class, () -> BpfRunner.evalAsm(context, withFunctions(257), "over.s"));
                    assertEquals("over.s: program 'many' has 257 functions, more than the limit of 256 (too many subprograms)", e.getMessage(),
                                    engine + ", bpf.Verify=" + verify);
                }
            }
        }
    }
}
