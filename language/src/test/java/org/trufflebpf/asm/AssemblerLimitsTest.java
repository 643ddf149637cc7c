package org.trufflebpf.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Opcodes;

/** The assembler stops at the instruction limits while it reads, not after reading a whole oversized file. */
class AssemblerLimitsTest {
    @Test
    void aProgramOverTheKernelsInstructionLimitIsRefusedAtTheFirstLineBeyondIt() {
        String text = "mov %r0, 0\n".repeat(Opcodes.MAX_INSNS) + "exit\n" + "mov %r0, 0\n".repeat(100_000);
        BpfError e = assertThrows(BpfError.class, () -> Assembler.assemble(text, "big.s"));
        assertEquals("big.s: line " + (Opcodes.MAX_INSNS + 1) + " 'exit': program 'big' has more than " + Opcodes.MAX_INSNS + " instructions",
                        e.getMessage());
    }

    @Test
    void lddwCountsTwoSlotsTowardTheLimit() {
        String text = "mov %r0, 0\n".repeat(Opcodes.MAX_INSNS - 1) + "lddw %r0, 1\nexit\n";
        BpfError e = assertThrows(BpfError.class, () -> Assembler.assemble(text, "big.s"));
        assertEquals("big.s: line " + Opcodes.MAX_INSNS + " 'lddw %r0, 1': program 'big' has more than " + Opcodes.MAX_INSNS + " instructions",
                        e.getMessage());
    }

    @Test
    void aProgramAtExactlyTheLimitAssembles() {
        String text = "mov %r0, 0\n".repeat(Opcodes.MAX_INSNS - 1) + "exit\n";
        assertEquals(Opcodes.MAX_INSNS, Assembler.assemble(text, "max.s").programs().get(0).code().size());
    }
}
