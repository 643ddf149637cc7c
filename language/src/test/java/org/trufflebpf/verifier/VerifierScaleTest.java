package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Opcodes;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramAnalysis;
import org.trufflebpf.model.ProgramType;

/** Programs at the size limit verify in bounded time and memory. */
class VerifierScaleTest {
    private static final int MOV_R0_0 = Opcodes.CLASS_ALU64 | Opcodes.ALU_MOV;
    private static final int ADD_K = Opcodes.CLASS_ALU64 | Opcodes.ALU_ADD;
    private static final int JEQ_K = Opcodes.CLASS_JMP | Opcodes.JMP_JEQ;

    private static Program program(List<Instruction> code) {
        return Program.of("big", ProgramType.RAW, code, List.of(), "big.s");
    }

    @Test
    void straightLineProgramOfAMillionInstructions() {
        List<Instruction> code = new ArrayList<>(Opcodes.MAX_INSNS);
        code.add(Instruction.of(MOV_R0_0, 0, 0, 0, 0).at(0));
        for (int i = 1; i < Opcodes.MAX_INSNS - 1; i++) {
            code.add(Instruction.of(ADD_K, 0, 0, 0, 1).at(i));
        }
        code.add(Instruction.of(Opcodes.EXIT, 0, 0, 0, 0).at(Opcodes.MAX_INSNS - 1));
        Program verified = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Verifier.verify(program(code)));
        assertEquals(Opcodes.MAX_INSNS, verified.analysis().entry().end());
    }

    @Test
    void hundredThousandBranchesEachStartingABlock() {
        List<Instruction> code = new ArrayList<>();
        code.add(Instruction.of(MOV_R0_0, 0, 0, 0, 0).at(0));
        for (int i = 0; i < 100_000; i++) {
            int slot = code.size();
            code.add(Instruction.of(ADD_K, 0, 0, 0, 1).at(slot));
            // Either way execution continues at the next instruction, so every instruction starts a block.
            code.add(Instruction.of(JEQ_K, 1, 0, 0, i).at(slot + 1));
        }
        code.add(Instruction.of(Opcodes.EXIT, 0, 0, 0, 0).at(code.size()));
        Program verified = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Verifier.verify(program(code)));
        assertEquals(1, verified.analysis().functions().size());
    }

    /** An entry function calling {@code callees} subprograms of {@code bodySize} instructions each. */
    private static List<Instruction> entryCalling(int callees, int bodySize) {
        List<Instruction> code = new ArrayList<>();
        // Slot i (i < callees) calls the function at slot callees + 2 + bodySize * i.
        for (int i = 0; i < callees; i++) {
            int target = callees + 2 + bodySize * i;
            code.add(Instruction.of(Opcodes.CALL, 0, Opcodes.CALL_LOCAL, 0, target - i - 1).at(i));
        }
        code.add(Instruction.of(MOV_R0_0, 0, 0, 0, 0).at(callees));
        code.add(Instruction.of(Opcodes.EXIT, 0, 0, 0, 0).at(callees + 1));
        for (int i = 0; i < callees; i++) {
            int slot = callees + 2 + bodySize * i;
            code.add(Instruction.of(MOV_R0_0, 0, 0, 0, 0).at(slot));
            for (int k = 1; k < bodySize - 1; k++) {
                code.add(Instruction.of(ADD_K, 0, 0, 0, 1).at(slot + k));
            }
            code.add(Instruction.of(Opcodes.EXIT, 0, 0, 0, 0).at(slot + bodySize - 1));
        }
        return code;
    }

    @Test
    void theMostFunctionsAProgramMayHaveEachAtTheirLargestSize() {
        // 256 functions (the kernel's BPF_MAX_SUBPROGS) sharing the million instructions.
        int callees = ProgramAnalysis.MAX_FUNCTIONS - 1;
        List<Instruction> code = entryCalling(callees, (Opcodes.MAX_INSNS - callees - 2) / callees);
        Program verified = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Verifier.verify(program(code)));
        assertEquals(callees + 1, verified.analysis().functions().size());
        assertEquals(callees, verified.analysis().entry().callees().size());
    }

    @Test
    void fiftyThousandFunctionsAreRefusedAtOnce() {
        List<Instruction> code = entryCalling(50_000, 2);
        BpfError e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(BpfError.class, () -> Verifier.verify(program(code))));
        assertEquals("big.s: program 'big' has 50001 functions, more than the limit of 256 (too many subprograms)", e.getMessage());
    }

    @Test
    void tenThousandLoopsAndFiftyNestedOnes() {
        StringBuilder text = new StringBuilder("mov %r0, 0\n");
        for (int i = 0; i < 10_000; i++) {
            text.append("mov %r1, 0\nloop").append(i).append(":\nadd %r0, %r1\nadd %r1, 1\njlt %r1, 100, loop").append(i).append('\n');
        }
        for (int depth = 0; depth < 50; depth++) {
            text.append("mov %r").append(1 + depth % 5).append(", 0\nouter").append(depth).append(":\n");
        }
        text.append("add %r0, 1\n");
        for (int depth = 49; depth >= 0; depth--) {
            int r = 1 + depth % 5;
            text.append("add %r").append(r).append(", 1\njlt %r").append(r).append(", 3, outer").append(depth).append('\n');
        }
        text.append("exit\n");
        Program program = Assembler.assembleProgram(text.toString(), "loops.s");
        Program verified = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Verifier.verify(program));
        assertEquals(0, verified.analysis().entry().stackDepth());
    }

    /** A loop of 1,000 iterations over a body of 1,100 instructions: every iteration is a new state to the end. */
    private static String longLoop(String header) {
        StringBuilder text = new StringBuilder(header).append("mov %r0, 0\nmov %r1, 0\nloop:\n");
        text.append("add %r0, 1\n".repeat(1_100));
        return text.append("add %r1, 1\njlt %r1, 1000, loop\nmov %r0, 0\nexit\n").toString();
    }

    @Test
    void aProgramOfAKernelTypeOverAMillionProcessedInstructionsIsRefusedAsTheKernelRefusesIt() {
        Program program = Assembler.assembleProgram(longLoop(".program prog xdp\n"), "long.s");
        BpfError e = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(BpfError.class, () -> Verifier.verify(program)));
        assertEquals("long.s: function 'prog': BPF program is too large. Processed 1000001 insn", e.getMessage());
    }

    @Test
    void aRawProgramOverAMillionProcessedInstructionsIsAnalysedAgainWithJoinedStates() {
        Program program = Assembler.assembleProgram(longLoop(""), "long.s");
        assertTrue(assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Verifier.verify(program)).isVerified());
    }
}
