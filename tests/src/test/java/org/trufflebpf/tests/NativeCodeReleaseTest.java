package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Native code lives in memory mappings (a writable and an executable view per program) that no garbage
 * collector frees: a closed context must release them, or a long-running host (the fuzzer made 24,000
 * programs) runs into the kernel's limit of 65,530 mappings and the native engine stops compiling.
 */
class NativeCodeReleaseTest {
    private static final Path MAPS = Path.of("/proc/self/maps");

    private static long mappings() throws IOException {
        try (var lines = Files.lines(MAPS)) {
            return lines.count();
        }
    }

    @Test
    void closedContextsGiveTheirCodeMemoryBack() throws IOException {
        Assumptions.assumeTrue(Files.isReadable(MAPS), "needs Linux /proc/self/maps");
        String program = ".program a raw\nmov %r0, 1\nexit\n.program b raw\nmov %r0, 2\nexit\n";
        cycle(program, 20); // warm-up: class loading, helper thunks, the first code pages
        long before = mappings();
        cycle(program, 300);
        long grown = mappings() - before;
        // Without freeing, 300 contexts leave about 600 mappings behind (measured); a few come and go with the JVM.
        assertTrue(grown < 200, grown + " mappings more after 300 closed contexts");
    }

    @Test
    void rejectedLoadsInOneContextGiveTheirMapsAndCodeBackAtOnce() throws IOException {
        Assumptions.assumeTrue(Files.isReadable(MAPS), "needs Linux /proc/self/maps");
        // Two programs that compile, then a prog array slot naming no program, which fails the whole load after
        // their code was made (a program the verifier refuses no longer does: its siblings load without it); and
        // a 16 MiB map (its own mapping), so that both code and map memory of every rejected load would show.
        String rejected = ".map big array key=4 value=4096 entries=4096\n.map jt prog_array key=4 value=4 entries=2\n.slot jt 0 nowhere\n"
                        + ".program a raw\nmov %r0, 1\nexit\n.program b raw\nmov %r0, 2\nexit\n";
        try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", "native").build()) {
            rejectAll(context, rejected, 10);
            long before = mappings();
            rejectAll(context, rejected, 200);
            long grown = mappings() - before;
            // Kept until the context closed, 200 rejected loads held about 200 map mappings and 3 code views each.
            assertTrue(grown < 50, grown + " mappings more after 200 rejected loads in one context");
        }
    }

    private static void rejectAll(Context context, String program, int times) {
        for (int i = 0; i < times; i++) {
            PolyglotException e = assertThrows(PolyglotException.class, () -> BpfRunner.evalAsm(context, program, "rejected.s"));
            assertTrue(e.isSyntaxError(), e.getMessage());
        }
    }

    private static void cycle(String program, int times) {
        for (int i = 0; i < times; i++) {
            try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", "native").build()) {
                assertEquals(1, BpfRunner.evalAsm(context, program, "release.s").getMember("a").execute().asLong());
            }
        }
    }
}
