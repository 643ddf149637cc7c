package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.asm.ConformanceFile;
import org.trufflebpf.conformance.ConformanceSuite;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Program;

/**
 * Every program of the bpf_conformance suite is valid for a reference runtime, so every one must verify;
 * the suite's {@code error.data} ({@code or %r0, %r10} with r0 never written) must not. The kernel tail-call
 * scenarios of the {@code tests} module must verify too.
 */
class ConformanceVerificationTest {

    @TestFactory
    Stream<DynamicTest> everySuiteProgramVerifies() {
        assumeTrue(ConformanceSuite.directory().isPresent(), ConformanceSuite.whereToPut());
        return ConformanceSuite.files("tests").stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
            Program program = ConformanceFile.read(path).program();
            Program verified = Verifier.verify(program);
            assertTrue(verified.isVerified());
            assertEquals(program.code(), verified.code());
        }));
    }

    @Test
    void suiteHasAllItsPrograms() {
        assumeTrue(ConformanceSuite.directory().isPresent(), ConformanceSuite.whereToPut());
        assertEquals(313, ConformanceSuite.files("tests").size());
    }

    @Test
    void negativeErrorFileIsRejected() throws IOException {
        assumeTrue(ConformanceSuite.directory().isPresent(), ConformanceSuite.whereToPut());
        Path path = ConformanceSuite.directory().get().resolve("negative/error.data");
        Program program = ConformanceFile.read(path).program();
        BpfError error = assertThrows(BpfError.class, () -> Verifier.verify(program));
        assertEquals(BpfError.Kind.VERIFY, error.kind());
        assertEquals("error.data: function 'error': insn 0 'or %r0, %r10': r0 is read before it is written on every path", error.getMessage());
    }

    @TestFactory
    Stream<DynamicTest> everyTailCallScenarioVerifies() throws IOException {
        Path folder = Path.of("..", "tests", "src", "test", "resources", "tailcall");
        assumeTrue(Files.isDirectory(folder), "tail-call scenarios not found at " + folder.toAbsolutePath());
        List<Path> files;
        try (Stream<Path> list = Files.list(folder)) {
            files = list.filter(p -> p.toString().endsWith(".s")).sorted().toList();
        }
        return files.stream().flatMap(path -> {
            BpfObject object;
            try {
                object = Assembler.assemble(Files.readString(path), path.getFileName().toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return object.programs().stream().map(program -> DynamicTest.dynamicTest(path.getFileName() + " " + program.name(),
                            () -> assertTrue(Verifier.verify(program).isVerified())));
        });
    }
}
