package org.trufflebpf.jit.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.trufflebpf.model.Opcodes.*;

import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Instruction;

/**
 * The lowering refuses, at load and naming the instruction, the unverified programs whose machine code would
 * corrupt the machine state rather than compute a wrong BPF result. Through the language the interpreter's
 * builder refuses them first; this is the native engine's own line, for callers of its API.
 */
class ProgramChecksTest {
    private static final Instruction EXIT_INSN = Instruction.of(EXIT, 0, 0, 0, 0);
    private static final Instruction MOV_R0_0 = Instruction.of(CLASS_ALU64 | ALU_MOV, 0, 0, 0, 0);

    private static BpfError refusal(Instruction... code) {
        return assertThrows(BpfError.class, () -> SharedRuntime.compile(TestPrograms.of(code)).close());
    }

    private static void assertRefused(int index, String reason, Instruction... code) {
        BpfError error = refusal(code);
        assertEquals(BpfError.Kind.LOAD, error.kind(), error.getMessage());
        assertEquals(reason, error.reason(), error.getMessage());
        assertEquals(index, error.instructionIndex(), error.getMessage());
    }

    @Test
    void aWriteToR10IsRefusedBecauseR10IsTheMachineFramePointer() {
        assertRefused(1, "r10 is read-only", MOV_R0_0, Instruction.of(CLASS_ALU64 | ALU_MOV, 10, 0, 0, 0), EXIT_INSN);
        assertRefused(0, "r10 is read-only", Instruction.of(CLASS_ALU64 | ALU_ADD, 10, 0, 0, 8), EXIT_INSN);
        assertRefused(0, "r10 is read-only", Instruction.lddw(10, 0, 1), EXIT_INSN);
    }

    @Test
    void aJumpPastTheEndOrBeforeTheStartIsRefused() {
        assertRefused(0, "jump target 6 is outside the function", Instruction.of(JA, 0, 0, 5, 0), EXIT_INSN);
        assertRefused(1, "jump target -1 is outside the function", MOV_R0_0, Instruction.of(CLASS_JMP | JMP_JEQ, 0, 0, -3, 0), EXIT_INSN);
    }

    @Test
    void aJumpIntoTheMiddleOfALddwIsRefused() {
        assertRefused(0, "jump target 2 is outside the function", Instruction.of(JA, 0, 0, 1, 0), Instruction.lddw(0, 0, 1), EXIT_INSN);
    }

    @Test
    void aJumpIntoAnotherFunctionIsRefused() {
        // main: call f; ja into f's body. f: r0 = 0; exit.
        assertRefused(1, "jump target 4 is outside the function", Instruction.of(CALL, 0, CALL_LOCAL, 0, 2), Instruction.of(JA, 0, 0, 2, 0), EXIT_INSN,
                        MOV_R0_0, EXIT_INSN);
    }

    @Test
    void aFunctionThatFallsOffItsEndIsRefusedAtItsLastInstruction() {
        assertRefused(1, "function falls off its end (the last instruction must be exit or ja)", MOV_R0_0, MOV_R0_0);
    }

    @Test
    void aRegisterAboveR10IsRefused() {
        assertRefused(0, "invalid destination register r11", Instruction.of(CLASS_ALU64 | ALU_MOV, 11, 0, 0, 0), EXIT_INSN);
        assertRefused(0, "invalid source register r12", Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 0, 12, 0, 0), EXIT_INSN);
    }

    @Test
    void theSameShapesWithinBoundsLoadAndRun() {
        try (NativeProgram program = SharedRuntime.compile(TestPrograms.of(Instruction.of(JA, 0, 0, 2, 0), Instruction.lddw(0, 0, 1), MOV_R0_0, EXIT_INSN))) {
            assertEquals(0, SharedRuntime.run(program, MemorySegment.NULL));
        }
    }
}
