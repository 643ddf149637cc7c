package org.trufflebpf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trufflebpf.model.Opcodes.*;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class InstructionFormsTest {
    @Test
    void aFieldThatPicksAVariantIsPartOfTheForm() {
        assertEquals("alu64 0x3f off=0", InstructionForms.of(Instruction.of(CLASS_ALU64 | ALU_DIV | SRC_X, 1, 2, 0, 0)));
        assertEquals("alu64 0x3f off=1", InstructionForms.of(Instruction.of(CLASS_ALU64 | ALU_DIV | SRC_X, 1, 2, 1, 0)));
        assertEquals("alu32 0xdc imm=16", InstructionForms.of(Instruction.of(CLASS_ALU | ALU_END | SRC_X, 1, 0, 0, 16)));
        assertEquals("stx 0xdb imm=0xf1", InstructionForms.of(Instruction.of(CLASS_STX | MODE_ATOMIC | SIZE_DW, 1, 2, 0, ATOMIC_CMPXCHG)));
        assertEquals("jmp 0x85 src=1", InstructionForms.of(Instruction.of(CALL, 0, CALL_LOCAL, 0, 3)));
        // Elsewhere the fields are operands: the same form whatever they hold.
        assertEquals(InstructionForms.of(Instruction.of(CLASS_ALU64 | ALU_ADD | SRC_K, 1, 0, 0, 5)),
                        InstructionForms.of(Instruction.of(CLASS_ALU64 | ALU_ADD | SRC_K, 3, 0, 0, -9)));
    }

    @Test
    void theValidFormsAreThoseTheEncodingRulesAccept() {
        assertTrue(InstructionForms.all().containsAll(List.of("alu64 0x3f off=1", "alu64 0xbf off=32", "jmp 0x95", "ld 0x18 src=1", "ldx 0x91")));
        assertFalse(InstructionForms.all().contains("alu64 0x3f off=2"), "division's offset is 0 or 1");
        assertFalse(InstructionForms.all().contains("alu32 0xbc off=32"), "mov32 has no 32-bit sign extension");
        assertFalse(InstructionForms.all().contains("jmp32 0x85 src=0"), "there is no 32-bit call");
        for (String form : InstructionForms.all()) {
            assertTrue(Arrays.asList(InstructionForms.classNames()).contains(form.substring(0, form.indexOf(' '))), form);
        }
    }
}
