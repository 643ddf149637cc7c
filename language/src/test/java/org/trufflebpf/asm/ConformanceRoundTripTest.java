package org.trufflebpf.asm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.trufflebpf.conformance.ConformanceSuite;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.InstructionDecoder;
import org.trufflebpf.model.InstructionText;
import org.trufflebpf.model.Program;

/** Every conformance program survives assemble → disassemble → assemble, and its raw form agrees with its asm. */
class ConformanceRoundTripTest {

    static List<Path> suite(String folder) {
        assumeTrue(ConformanceSuite.directory().isPresent(), ConformanceSuite.whereToPut());
        return ConformanceSuite.files(folder);
    }

    @Test
    void theSuiteHasAllItsProgramsAndNegativeInputs() {
        assertEquals(313, suite("tests").size());
        assertEquals(60, suite("negative").size());
    }

    @TestFactory
    Stream<DynamicTest> assembleDisassembleAssembleGivesIdenticalBytes() {
        return suite("tests").stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> roundTrip(path)));
    }

    private static void roundTrip(Path path) throws IOException {
        ConformanceFile file = ConformanceFile.read(path);
        assertNotNull(file.asm(), "every suite program has an asm section");
        Program program = file.program();
        byte[] bytes = InstructionDecoder.encode(program.code());

        String listing = program.code().stream().map(InstructionText::format).collect(Collectors.joining("\n", "", "\n"));
        byte[] again = InstructionDecoder.encode(Assembler.assembleProgram(listing, path.getFileName() + ".disasm").code());
        assertArrayEquals(bytes, again, () -> "disassembly does not reassemble to the same bytes:\n" + listing);

        List<Instruction> decoded = InstructionDecoder.decode(bytes, path.toString());
        assertEquals(program.code(), decoded, "decoding the encoded program gives the assembled instructions back");

        if (file.raw() != null) {
            assertArrayEquals(file.raw(), bytes, "the -- raw section agrees with the -- asm section");
        }
    }
}
