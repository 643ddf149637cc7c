package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.trufflebpf.fuzz.Outcome;

/**
 * Reproducers of escapes that crashed the JVM (src/test/resources/escapes), each replayed unverified by
 * {@code bpf run --maps} in a child JVM on each engine: the child must survive, and both engines must print
 * the same (addresses masked).
 */
class EscapeReproducersTest {
    @TempDir
    Path errorFiles;

    @TestFactory
    Stream<DynamicTest> escapesNeitherCrashTheJvmNorDiverge() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/escapes"))) {
            return files.filter(p -> p.toString().endsWith(".s")).sorted().toList().stream()
                            .map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
                                ChildJvm.Result interpreter = ChildJvm.bpf(errorFiles, 120, "run", path.toString(), "--unverified", "--maps", "--engine",
                                                "interpreter");
                                ChildJvm.Result nativeEngine = ChildJvm.bpf(errorFiles, 120, "run", path.toString(), "--unverified", "--maps", "--engine",
                                                "native");
                                assertFalse(interpreter.crashed(), () -> "interpreter run crashed the JVM:\n" + interpreter.tail());
                                assertFalse(nativeEngine.crashed(), () -> "native run crashed the JVM:\n" + nativeEngine.tail());
                                assertEquals(Outcome.maskAddresses(interpreter.output()), Outcome.maskAddresses(nativeEngine.output()));
                                assertEquals(interpreter.exitCode(), nativeEngine.exitCode());
                            }));
        }
    }
}
