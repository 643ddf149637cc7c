package org.trufflebpf.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

import org.graalvm.polyglot.Context;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which instruction forms the generators reach: every form the engines run, but for those a campaign's programs
 * may not hold, each with its reason.
 */
class GeneratedFormsTest {
    /** A function's address (lddw source 4) is only for callback helpers such as bpf_loop, which the engines lack. */
    private static final String FUNCTION_ADDRESS = "ld 0x18 src=4";
    /** callx (a helper id in a register) is ours: the kernel has no such call. */
    private static final String CALLX = "jmp 0x8d";

    @Test
    void programsForOurEnginesCoverEveryFormButTheFunctionAddress() {
        assertEquals(List.of(FUNCTION_ADDRESS), uncovered(seed -> ProgramGenerator.generate(seed, 40)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"socket", "tc"})
    void kernelGradeSocketBufferProgramsAlsoLeaveOutCallx(String context) {
        assertEquals(List.of(CALLX, FUNCTION_ADDRESS), uncovered(seed -> ProgramGenerator.generateForKernel(seed, 40, context)));
    }

    private static List<String> uncovered(LongFunction<ProgramGenerator.Generated> generator) {
        InstructionCoverage coverage = InstructionCoverage.ofLanguage();
        try (Context reader = QuietContexts.reader(Map.of())) {
            for (long seed = 1; seed <= 300; seed++) {
                coverage.add(InstructionCoverage.formsOf(reader, DiffCase.assembly("fuzz-" + seed + ".s", generator.apply(seed).text(), null, null)));
            }
        }
        return coverage.uncovered();
    }
}
