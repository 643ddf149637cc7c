package org.trufflebpf.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.trufflebpf.conformance.ConformanceSuite;
import org.trufflebpf.model.BpfError;

/**
 * The conformance suite's negative inputs that the assembler and decoder must refuse, each with a one-line
 * error that names the file and the line. Two files need later stages: {@code error.data} reads r0 before
 * writing it (the verifier's job) and {@code incorrect_return_value_high_bits.data} is a valid program whose
 * stated result is wrong (the runner's job); those are checked where those stages are tested.
 */
class NegativeConformanceTest {
    static final Set<String> REJECTED_AFTER_ASSEMBLY = Set.of("error.data", "incorrect_return_value_high_bits.data");

    /** The assembly inputs and the exact message each gets. */
    static final Map<String, String> ASSEMBLY_ERRORS = Map.ofEntries(
                    Map.entry("empty.data", "empty.data: no program: the file has neither an asm nor a raw section"),
                    Map.entry("empty_instructions.data", "empty_instructions.data: no program: the file has neither an asm nor a raw section"),
                    Map.entry("invalid_imm32_dec_range.data",
                                    "invalid_imm32_dec_range.data: line 5 'mov32 %r0, 2147483648': immediate 2147483648 is out of range [-2147483648, 2147483647]"),
                    Map.entry("invalid_imm32_hex_range.data",
                                    "invalid_imm32_hex_range.data: line 5 'mov32 %r0, 0x100000000': immediate 0x100000000 does not fit 32 bits"),
                    Map.entry("invalid_label.data", "invalid_label.data: line 4 'ja NOT_A_LABEL': unknown label 'NOT_A_LABEL'"),
                    Map.entry("invalid_lock.data", "invalid_lock.data: line 4 'lock or [%r10-8]': Invalid number of operands for lock"),
                    Map.entry("invalid_lock2.data", "invalid_lock2.data: line 4 'lock': Invalid number of operands for lock"),
                    Map.entry("invalid_mnemonic.data", "invalid_mnemonic.data: line 5 'ldxq %r0, %r1': unknown mnemonic 'ldxq'"),
                    Map.entry("invalid_offset.data",
                                    "invalid_offset.data: line 4 'ldxb %r0, %r1': expected a memory operand like [%r1+8], not '%r1'"),
                    Map.entry("invalid_offset_range.data",
                                    "invalid_offset_range.data: line 5 'ldxb %r0, [%r1+0x10000]': offset +0x10000 is out of range [-32768, 32767]"),
                    Map.entry("invalid_operand_count.data", "invalid_operand_count.data: line 4 'lddw %r0': 'lddw' takes 2 operands, not 1"),
                    Map.entry("invalid_register.data", "invalid_register.data: line 4 'or %r0, %r50': Invalid register '%r50'"),
                    Map.entry("invalid_unknown_directive.data", "invalid_unknown_directive.data: line 4: unknown section '-- Unknown directive'"));

    @Test
    void everyNegativeFileIsAccountedFor() {
        assumeTrue(ConformanceSuite.directory().isPresent(), ConformanceSuite.whereToPut());
        for (Path path : ConformanceSuite.files("negative")) {
            String name = path.getFileName().toString();
            assertTrue(ASSEMBLY_ERRORS.containsKey(name) || name.startsWith("unused-") || REJECTED_AFTER_ASSEMBLY.contains(name), name);
        }
    }

    @TestFactory
    Stream<DynamicTest> assemblyErrorsNameTheLine() {
        assumeTrue(ConformanceSuite.directory().isPresent(), ConformanceSuite.whereToPut());
        return ASSEMBLY_ERRORS.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(entry -> DynamicTest.dynamicTest(entry.getKey(), () -> {
            Path path = ConformanceSuite.directory().get().resolve("negative").resolve(entry.getKey());
            BpfError error = assertThrows(BpfError.class, () -> ConformanceFile.read(path).program());
            assertEquals(entry.getValue(), error.getMessage());
        }));
    }

    private static final Pattern UNUSED = Pattern.compile("unused-(.*)-(dst|src|imm|offset)\\.data");
    private static final Pattern RAW_MESSAGE = Pattern.compile("(\\S+): line (\\d+): insn 0 '[^']+': (.+)");

    /** {@code unused-OP-FIELD.data} sets a field OP must leave zero: the error names that line and that field. */
    @TestFactory
    Stream<DynamicTest> reservedFieldsInRawInstructionsAreRejectedWithTheField() {
        return ConformanceRoundTripTest.suite("negative").stream().filter(p -> UNUSED.matcher(p.getFileName().toString()).matches())
                        .map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
                            String name = path.getFileName().toString();
                            Matcher file = UNUSED.matcher(name);
                            assertTrue(file.matches());
                            ConformanceFile conformance = ConformanceFile.read(path);
                            BpfError error = assertThrows(BpfError.class, conformance::program);
                            assertEquals(BpfError.Kind.DECODE, error.kind());
                            assertFalse(error.getMessage().contains("\n"), "one line");
                            Matcher message = RAW_MESSAGE.matcher(error.getMessage());
                            assertTrue(message.matches(), error.getMessage());
                            assertEquals(name, message.group(1));
                            assertEquals(conformance.rawLines()[0], Integer.parseInt(message.group(2)), "names the line of the bad instruction");
                            String reason = message.group(3);
                            String expectedWord = switch (file.group(2)) {
                                case "dst" -> "register";
                                case "src" -> "source register";
                                case "imm" -> "immediate";
                                default -> "offset";
                            };
                            boolean exitRejectsAll = file.group(1).equals("exit") && reason.equals("every field of exit must be 0");
                            assertTrue(reason.contains(expectedWord) || exitRejectsAll, reason);
                        }));
    }
}
