package org.trufflebpf.jit.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trufflebpf.model.Opcodes.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.TailCallAbi;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * Code that makes no call and jumps only forward enters through a critical downcall, where it must not call
 * Java: its region table stands alone (no slow check) and it polls no host. Every error it can meet still comes
 * out as on the ordinary path: each case runs beside a twin whose unreachable helper call after the exit keeps
 * it on the ordinary path, and both must fail alike.
 */
class CriticalEntryTest {
    private static final Instruction EXIT_INSN = Instruction.of(EXIT, 0, 0, 0, 0);
    private static final Instruction HELPER_CALL = Instruction.of(CALL, 0, 0, 0, Helper.KTIME_GET_NS.id());

    private static NativeProgram compile(Instruction... code) {
        return SharedRuntime.compile(TestPrograms.of(code));
    }

    /** The same code with an unreachable helper call after it: it behaves alike but may call Java. */
    private static Instruction[] withUnreachableCall(Instruction... code) {
        List<Instruction> twin = new ArrayList<>(List.of(code));
        twin.add(HELPER_CALL);
        twin.add(EXIT_INSN);
        return twin.toArray(Instruction[]::new);
    }

    @Test
    void loopFreeCodeWithoutCallsEntersCriticallyAndAnyCallOrBackwardJumpKeepsTheOrdinaryEntry() {
        Instruction mov = Instruction.of(CLASS_ALU64 | ALU_MOV, 0, 0, 0, 1);
        Instruction forward = Instruction.of(CLASS_JMP | JMP_JEQ, 0, 0, 1, 0);
        assertTrue(entersCritically(mov, forward, mov, EXIT_INSN));
        assertFalse(entersCritically(mov, HELPER_CALL, EXIT_INSN), "helper call");
        assertFalse(entersCritically(mov, Instruction.of(CALLX, 0, 0, 0, 0), EXIT_INSN), "callx");
        assertFalse(entersCritically(Instruction.of(CALL, 0, CALL_LOCAL, 0, 1), EXIT_INSN, mov, EXIT_INSN), "bpf-to-bpf call");
        assertFalse(entersCritically(mov, Instruction.of(CLASS_JMP | JMP_JEQ, 0, 0, -2, 0), EXIT_INSN), "backward jump");
        assertFalse(entersCritically(mov, Instruction.of(CLASS_JMP | JMP_JA, 0, 0, -1, 0), EXIT_INSN), "jump to itself");
    }

    private static boolean entersCritically(Instruction... code) {
        try (NativeProgram program = compile(code)) {
            return program.criticalEntry();
        }
    }

    @Test
    void aCriticalRunGivesItsResultAndWritesItsMemory() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(16);
            try (NativeProgram program = compile(Instruction.of(CLASS_ST | MODE_MEM | SIZE_DW, 1, 0, 8, 99),
                            Instruction.of(CLASS_LDX | MODE_MEM | SIZE_DW, 0, 1, 8, 0), Instruction.of(CLASS_ALU64 | ALU_ADD | SRC_X, 0, 2, 0, 0), EXIT_INSN)) {
                assertTrue(program.criticalEntry());
                for (int i = 0; i < 1000; i++) {
                    assertEquals(99 + 16, SharedRuntime.run(program, memory));
                }
            }
        }
    }

    @Test
    void anOutOfBoundsReadFailsAsOnTheOrdinaryPath() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(8);
            sameError(memory, Instruction.of(CLASS_LDX | MODE_MEM | SIZE_DW, 0, 1, 4, 0), EXIT_INSN);
        }
    }

    @Test
    void aReadOfAnAddressNoRegionHoldsFailsAsOnTheOrdinaryPath() {
        sameError(MemorySegment.NULL, Instruction.lddw(1, 0, 0x10000L), Instruction.of(CLASS_LDX | MODE_MEM | SIZE_W, 0, 1, 0, 0), EXIT_INSN);
    }

    @Test
    void aWriteToReadOnlyMemoryFailsAsOnTheOrdinaryPath() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(8).asReadOnly();
            sameError(memory, Instruction.of(CLASS_ST | MODE_MEM | SIZE_W, 1, 0, 0, 7), EXIT_INSN);
        }
    }

    @Test
    void aStackAccessPastTheFrameFailsAsOnTheOrdinaryPath() {
        sameError(MemorySegment.NULL, Instruction.of(CLASS_LDX | MODE_MEM | SIZE_DW, 0, 10, 8, 0), EXIT_INSN);
    }

    @Test
    void aMisalignedAtomicFailsAsOnTheOrdinaryPath() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(16);
            sameError(memory, Instruction.of(CLASS_ALU64 | ALU_MOV, 3, 0, 0, 1), Instruction.of(CLASS_STX | MODE_ATOMIC | SIZE_DW, 1, 3, 1, ATOMIC_ADD), EXIT_INSN);
        }
    }

    @Test
    void divisionByZeroGivesZeroAsOnTheOrdinaryPath() {
        Instruction[] code = {Instruction.of(CLASS_ALU64 | ALU_MOV, 0, 0, 0, 5), Instruction.of(CLASS_ALU64 | ALU_MOV, 3, 0, 0, 0),
                        Instruction.of(CLASS_ALU64 | ALU_DIV | SRC_X, 0, 3, 0, 0), EXIT_INSN};
        try (NativeProgram critical = compile(code); NativeProgram ordinary = compile(withUnreachableCall(code))) {
            assertTrue(critical.criticalEntry());
            assertFalse(ordinary.criticalEntry());
            assertEquals(0, SharedRuntime.run(critical, MemorySegment.NULL));
            assertEquals(SharedRuntime.run(ordinary, MemorySegment.NULL), SharedRuntime.run(critical, MemorySegment.NULL));
        }
    }

    @Test
    void anExhaustedBudgetFailsAsOnTheOrdinaryPathAndLeavesTheSameCount() {
        Instruction mov = Instruction.of(CLASS_ALU64 | ALU_MOV, 0, 0, 0, 1);
        Instruction skip = Instruction.of(CLASS_JMP | JMP_JEQ, 0, 0, 1, 1);
        Instruction[] code = {mov, skip, mov, mov, mov, EXIT_INSN};
        try (NativeProgram critical = compile(code); NativeProgram ordinary = compile(withUnreachableCall(code))) {
            assertTrue(critical.criticalEntry());
            for (long limit : new long[] {1, 2, 3}) {
                BpfError expected = budgetError(ordinary, limit);
                BpfError actual = budgetError(critical, limit);
                assertEquals(BpfError.Kind.BUDGET, actual.kind());
                assertEquals(expected.getMessage(), actual.getMessage());
            }
        }
    }

    private static BpfError budgetError(NativeProgram program, long limit) {
        try (RunState state = SharedRuntime.state(SharedRuntime.options(limit, TailCallAbi.COUNTER_BY_VALUE), MapSet.empty())) {
            return assertThrows(BpfError.class, () -> SharedRuntime.run(program, state, 0, 0));
        }
    }

    /** The code fails the same way, message and place, on both entries, run after run. */
    private static void sameError(MemorySegment memory, Instruction... code) {
        try (NativeProgram critical = compile(code); NativeProgram ordinary = compile(withUnreachableCall(code))) {
            assertTrue(critical.criticalEntry());
            assertFalse(ordinary.criticalEntry());
            BpfError expected = assertThrows(BpfError.class, () -> SharedRuntime.run(ordinary, memory));
            for (int i = 0; i < 100; i++) {
                BpfError actual = assertThrows(BpfError.class, () -> SharedRuntime.run(critical, memory));
                assertEquals(expected.kind(), actual.kind());
                assertEquals(expected.instructionIndex(), actual.instructionIndex());
                assertEquals(expected.getMessage(), actual.getMessage());
                assertFalse(actual.getMessage().contains("\n\tat "), actual.getMessage());
            }
        }
    }
}
