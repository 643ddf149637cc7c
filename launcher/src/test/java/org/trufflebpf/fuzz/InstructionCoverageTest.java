package org.trufflebpf.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.graalvm.polyglot.Context;
import org.junit.jupiter.api.Test;

class InstructionCoverageTest {
    private static final String PROGRAM = """
                    .program main raw
                        mov %r0, 1
                        sdiv %r0, %r1
                        be16 %r0
                        lock add [%r10-8], %r0
                        exit
                    """;

    @Test
    void aProgramCoversTheFormsItsInstructionsHave() {
        try (Context reader = QuietContexts.reader(Map.of())) {
            assertEquals(Set.of("alu64 0xb7", "alu64 0x3f off=1", "alu32 0xdc imm=16", "stx 0xdb imm=0x00", "jmp 0x95"),
                            InstructionCoverage.formsOf(reader, DiffCase.assembly("p.s", PROGRAM, null, null)));
            assertEquals(Set.of(), InstructionCoverage.formsOf(reader, DiffCase.assembly("bad.s", "frobnicate %r0\n", null, null)),
                            "a source that does not load covers nothing");
        }
    }

    @Test
    void theLanguageListsTheValidForms() {
        InstructionCoverage coverage = InstructionCoverage.ofLanguage();
        assertTrue(coverage.total() > 100, "total " + coverage.total());
        assertTrue(coverage.uncovered().containsAll(List.of("alu64 0x3f off=1", "alu64 0x3f off=0", "alu64 0x07")));
        assertFalse(coverage.uncovered().contains("alu64 0x3f off=2"));
        assertEquals(coverage.total(), coverage.byClass().values().stream().mapToInt(c -> c[1]).sum());
        assertEquals(Set.of("ld", "ldx", "st", "stx", "alu32", "jmp", "jmp32", "alu64"), coverage.byClass().keySet());
    }

    @Test
    void addingSaysWhetherAnythingNewWasCovered() {
        InstructionCoverage coverage = new InstructionCoverage(List.of("alu64 0x07", "alu64 0x0f", "jmp 0x95"));
        assertTrue(coverage.wouldAdd(Set.of("alu64 0x07")));
        assertTrue(coverage.add(Set.of("alu64 0x07", "jmp 0x95")));
        assertFalse(coverage.wouldAdd(Set.of("alu64 0x07")));
        assertFalse(coverage.add(Set.of("alu64 0x07", "jmp 0x95")));
        assertFalse(coverage.add(Set.of("not a form")), "only valid forms count");
        assertEquals(2, coverage.covered());
        assertEquals(List.of("alu64 0x0f"), coverage.uncovered());
        assertEquals("2/3 instruction forms (alu64 1/2, jmp 1/1)", coverage.line());
    }
}
