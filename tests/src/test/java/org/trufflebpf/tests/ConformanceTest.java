package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.graalvm.polyglot.Context;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.trufflebpf.asm.ConformanceFile;
import org.trufflebpf.conformance.ConformanceSuite;

/**
 * The bpf_conformance suite on the Truffle interpreter: every program in {@code tests/} must return its
 * {@code -- result}, and a file whose expected result is wrong must be seen as a mismatch.
 */
class ConformanceTest {
    private static Context context;

    @BeforeAll
    static void setUp() {
        context = BpfRunner.contextBuilder().build();
    }

    @AfterAll
    static void tearDown() {
        if (context != null) {
            context.close();
        }
    }

    private static void assumeSuite() {
        Assumptions.assumeTrue(ConformanceSuite.directory().isPresent(), ConformanceSuite.whereToPut());
    }

    @TestFactory
    Stream<DynamicTest> everyProgramReturnsItsExpectedResult() {
        assumeSuite();
        List<Path> files = ConformanceSuite.files("tests");
        assertEquals(313, files.size(), "the suite should hold 313 programs");
        return files.stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
            ConformanceFile file = ConformanceFile.read(path);
            assertNotNull(file.result(), "file has no expected result");
            long r0 = BpfRunner.run(context, file);
            assertEquals(file.result().longValue(), r0, () -> String.format("r0 = 0x%x, expected 0x%x", r0, file.result()));
        }));
    }

    @Test
    void wrongExpectedHighBitsAreDetectedAsMismatch() throws IOException {
        assumeSuite();
        Path path = ConformanceSuite.directory().orElseThrow().resolve("negative/incorrect_return_value_high_bits.data");
        ConformanceFile file = ConformanceFile.read(path);
        long r0 = BpfRunner.run(context, file);
        assertEquals(0x8877665544332211L, r0, "the program loads the eight bytes at offset 2");
        assertNotEquals(file.result().longValue(), r0, "the file's expected result differs in the high bits");
    }
}
