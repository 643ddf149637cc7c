package org.trufflebpf.jit.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.trufflebpf.asm.ConformanceFile;
import org.trufflebpf.conformance.ConformanceSuite;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.verifier.Verifier;

/**
 * Every program of the bpf_conformance suite, compiled to native code (checked mode) and run: r0 must equal
 * the file's expected result. {@code -- mem} goes to native memory, r1 = its address, r2 = its length.
 */
class NativeConformanceTest {

    static List<Path> suite() {
        assumeTrue(ConformanceSuite.directory().isPresent(), ConformanceSuite.whereToPut());
        return ConformanceSuite.files("tests");
    }

    @Test
    void theSuiteHasAllItsPrograms() {
        assertEquals(313, suite().size());
    }

    @TestFactory
    Stream<DynamicTest> everyProgramGivesItsExpectedResult() {
        return suite().stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> run(path)));
    }

    /**
     * The same programs verified first and compiled unchecked, as the kernel would run them: per-function
     * stack sizes and the verifier's facts instead of the conservative unverified layout.
     */
    @TestFactory
    Stream<DynamicTest> verifiedProgramsGiveTheSameResultsUnchecked() {
        return suite().stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
            ConformanceFile file = ConformanceFile.read(path);
            Program verified;
            try {
                verified = Verifier.verify(file.program());
            } catch (BpfError rejected) {
                Assumptions.abort("the verifier rejects it: " + rejected.getMessage());
                return;
            }
            long result = runNatively(file, verified, JitOptions.UNCHECKED);
            assertEquals(file.result().longValue(), result, () -> String.format("%s: expected 0x%x, got 0x%x", path.getFileName(), file.result(), result));
        }));
    }

    static long runNatively(ConformanceFile file) {
        return runNatively(file, file.program(), JitOptions.CHECKED);
    }

    static long runNatively(ConformanceFile file, Program code, JitOptions options) {
        try (Arena arena = Arena.ofConfined(); NativeProgram program = NativeEngine.compile(code, options, MapSet.empty())) {
            MemorySegment memory = MemorySegment.NULL;
            if (file.memory() != null && file.memory().length > 0) {
                memory = arena.allocate(file.memory().length, 8);
                MemorySegment.copy(file.memory(), 0, memory, ValueLayout.JAVA_BYTE, 0, file.memory().length);
            }
            return SharedRuntime.run(program, memory);
        }
    }

    private static void run(Path path) throws IOException {
        ConformanceFile file = ConformanceFile.read(path);
        assertNotNull(file.result(), "a suite program states its result");
        long result = runNatively(file);
        assertEquals(file.result().longValue(), result, () -> String.format("%s: expected 0x%x, got 0x%x", path.getFileName(), file.result(), result));
    }
}
