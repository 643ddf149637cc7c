package org.trufflebpf.jit.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trufflebpf.model.Opcodes.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Instruction;

class NativeProgramTest {
    private static final Instruction EXIT_INSN = Instruction.of(EXIT, 0, 0, 0, 0);

    private static long run(MemorySegment context, Instruction... code) {
        try (NativeProgram program = NativeEngine.compile(TestPrograms.of(code))) {
            return program.run(context);
        }
    }

    @Test
    void returnsR0() {
        assertEquals(42, run(MemorySegment.NULL, Instruction.of(CLASS_ALU64 | ALU_MOV, 0, 0, 0, 42), EXIT_INSN));
        assertEquals(-7, run(MemorySegment.NULL, Instruction.of(CLASS_ALU64 | ALU_MOV, 0, 0, 0, -7), EXIT_INSN));
        assertEquals(0x1122334455667788L, run(MemorySegment.NULL, Instruction.lddw(0, 0, 0x1122334455667788L), EXIT_INSN));
    }

    @Test
    void readsAndWritesTheContextMemory() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(16);
            memory.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 1234);
            long result = run(memory, Instruction.of(CLASS_LDX | MODE_MEM | SIZE_DW, 0, 1, 0, 0),
                            Instruction.of(CLASS_ST | MODE_MEM | SIZE_W, 1, 0, 8, 99),
                            Instruction.of(CLASS_ALU64 | ALU_ADD | SRC_X, 0, 2, 0, 0), EXIT_INSN);
            assertEquals(1234 + 16, result);
            assertEquals(99, memory.get(ValueLayout.JAVA_INT_UNALIGNED, 8));
        }
    }

    @Test
    void stackRoundTripThroughR10() {
        assertEquals(77, run(MemorySegment.NULL, Instruction.of(CLASS_ST | MODE_MEM | SIZE_DW, 10, 0, -512, 77),
                        Instruction.of(CLASS_LDX | MODE_MEM | SIZE_DW, 0, 10, -512, 0), EXIT_INSN));
    }

    @Test
    void callsAHelperThroughItsUpcallStub() {
        long before = System.nanoTime();
        long result = run(MemorySegment.NULL, Instruction.of(CALL, 0, 0, 0, Helper.KTIME_GET_NS.id()), EXIT_INSN);
        assertTrue(result >= before && result <= System.nanoTime(), "ktime_get_ns returned " + result);
    }

    @Test
    void checkedModeStopsAnOutOfBoundsLoadWithAnError() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(8);
            BpfError error = assertThrows(BpfError.class,
                            () -> run(memory, Instruction.of(CLASS_LDX | MODE_MEM | SIZE_DW, 0, 1, 4, 0), EXIT_INSN));
            assertEquals(BpfError.Kind.RUNTIME, error.kind());
            assertEquals(0, error.instructionIndex());
            assertTrue(error.reason().startsWith("read of 8 bytes"), error.getMessage());
        }
    }

    @Test
    void checkedModeStopsAWildStore() {
        BpfError error = assertThrows(BpfError.class, () -> run(MemorySegment.NULL, Instruction.lddw(1, 0, 0x10L),
                        Instruction.of(CLASS_ST | MODE_MEM | SIZE_B, 1, 0, 0, 1), EXIT_INSN));
        assertEquals(2, error.instructionIndex());
    }

    @Test
    void checkedModeStopsRunawayRecursion() {
        // func0: call func0 forever.
        BpfError error = assertThrows(BpfError.class, () -> run(MemorySegment.NULL, Instruction.of(CALL, 0, CALL_LOCAL, 0, -1), EXIT_INSN));
        assertTrue(error.reason().startsWith("call nesting exceeds 272 frames"), error.getMessage());
    }

    @Test
    void callerStackIsReachableFromACallee() {
        // main: *(u64*)(r10-8) = 5; r1 = r10 - 8; call f; exit.   f: r0 = *(u64*)r1; *(u64*)r1 = 6; r0 += *(u64*)r1; exit
        long result = run(MemorySegment.NULL, Instruction.of(CLASS_ST | MODE_MEM | SIZE_DW, 10, 0, -8, 5),
                        Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 1, 10, 0, 0), Instruction.of(CLASS_ALU64 | ALU_ADD, 1, 0, 0, -8),
                        Instruction.of(CALL, 0, CALL_LOCAL, 0, 1), EXIT_INSN, Instruction.of(CLASS_LDX | MODE_MEM | SIZE_DW, 0, 1, 0, 0),
                        Instruction.of(CLASS_ST | MODE_MEM | SIZE_DW, 1, 0, 0, 6), Instruction.of(CLASS_LDX | MODE_MEM | SIZE_DW, 2, 1, 0, 0),
                        Instruction.of(CLASS_ALU64 | ALU_ADD | SRC_X, 0, 2, 0, 0), EXIT_INSN);
        assertEquals(11, result);
    }

    @Test
    void writingR10IsRejectedAtLoad() {
        BpfError error = assertThrows(BpfError.class, () -> run(MemorySegment.NULL, Instruction.of(CLASS_ALU64 | ALU_MOV, 10, 0, 0, 0), EXIT_INSN));
        assertEquals(BpfError.Kind.LOAD, error.kind());
    }

    @Test
    void callxToAnUnknownHelperStops() {
        BpfError error = assertThrows(BpfError.class, () -> run(MemorySegment.NULL, Instruction.of(CLASS_ALU64 | ALU_MOV, 2, 0, 0, 100000),
                        Instruction.of(CALLX, 2, 0, 0, 0), EXIT_INSN));
        assertEquals(1, error.instructionIndex());
        assertEquals("call to unknown helper 100000", error.reason());
    }

    @Test
    void uncheckedCodeIsRefusedForUnverifiedPrograms() {
        BpfError error = assertThrows(BpfError.class, () -> NativeEngine.compile(TestPrograms.of(EXIT_INSN), JitOptions.UNCHECKED,
                        NativeEngine.standardHelpers()));
        assertEquals(BpfError.Kind.LOAD, error.kind());
    }

    @Test
    void budgetCountsEachBlockBeforeItRunsAndStopsAtTheBlockThatWouldExceedIt() {
        // 0: r0 = 0; 1: r0 += 1; 2: if r0 < 5 goto 1; 3: exit. Blocks: [0] 1, [1,2] 2 (x5), [3] 1 = 12 instructions.
        java.util.List<Instruction> code = java.util.List.of(Instruction.of(CLASS_ALU64 | ALU_MOV, 0, 0, 0, 0), Instruction.of(CLASS_ALU64 | ALU_ADD, 0, 0, 0, 1),
                        Instruction.of(CLASS_JMP | JMP_JLT, 0, 0, -2, 5), EXIT_INSN);
        try (NativeProgram program = NativeEngine.compile(TestPrograms.of(code))) {
            NativeProgram.Outcome outcome = program.execute(0, 0, java.util.List.of(), 12);
            assertEquals(5, outcome.r0());
            assertEquals(12, outcome.executed());
            BpfError error = assertThrows(BpfError.class, () -> program.execute(0, 0, java.util.List.of(), 11));
            assertEquals(BpfError.Kind.BUDGET, error.kind());
            assertEquals(3, error.instructionIndex(), "the exit block no longer fits");
            assertEquals("execution budget of 11 instructions exhausted (11 executed)", error.reason());
        }
    }

    @Test
    void aFailingHelperStopsTheRunAtItsCall() {
        try (HelperTable helpers = HelperTable.builder().register(99, (a, b, c, d, e) -> {
            throw new IllegalArgumentException("bad pointer argument");
        }).build(); Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(8);
            memory.fill((byte) 0);
            // 0: r6 = r1; 1: call 99; 2: *(u8 *)(r6 + 0) = 1; 3: exit
            try (NativeProgram program = NativeEngine.compile(TestPrograms.of(Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 6, 1, 0, 0),
                            Instruction.of(CALL, 0, 0, 0, 99), Instruction.of(CLASS_ST | MODE_MEM | SIZE_B, 6, 0, 0, 1), EXIT_INSN),
                            JitOptions.CHECKED, helpers)) {
                BpfError error = assertThrows(BpfError.class, () -> program.run(memory));
                assertEquals(1, error.instructionIndex());
                assertEquals("bad pointer argument", error.reason());
                assertEquals(0, memory.get(ValueLayout.JAVA_BYTE, 0), "nothing after the call ran");
                BpfError again = assertThrows(BpfError.class, () -> program.run(memory), "each run reports its own failure");
                assertEquals(1, again.instructionIndex());
            }
        }
    }

    @Test
    void checkedModeReadsButDoesNotWriteReadOnlyMemory() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(8);
            memory.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 77);
            MemorySegment readOnly = memory.asReadOnly();
            assertEquals(77, run(readOnly, Instruction.of(CLASS_LDX | MODE_MEM | SIZE_DW, 0, 1, 0, 0), EXIT_INSN));
            BpfError error = assertThrows(BpfError.class, () -> run(readOnly, Instruction.of(CLASS_ST | MODE_MEM | SIZE_W, 1, 0, 4, 1), EXIT_INSN));
            assertEquals(String.format("write of 4 bytes at 0x%x: read-only memory", memory.address() + 4), error.reason());
            assertEquals(77, memory.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
        }
    }

    @Test
    void accessesTheTablesMissAreDecidedByTheFallbackPolicyWithRegistersIntact() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment extra = arena.allocate(16, 8);
            extra.set(ValueLayout.JAVA_LONG, 8, 1000);
            // r1..r5 and r0 hold values across the checked load; r0 = r1 + r2 + r3 + r4 + r5 + *(u64 *)(r6 + 8).
            java.util.List<Instruction> code = java.util.List.of(Instruction.lddw(6, 0, extra.address()), Instruction.of(CLASS_ALU64 | ALU_MOV, 1, 0, 0, 1),
                            Instruction.of(CLASS_ALU64 | ALU_MOV, 2, 0, 0, 2), Instruction.of(CLASS_ALU64 | ALU_MOV, 3, 0, 0, 3),
                            Instruction.of(CLASS_ALU64 | ALU_MOV, 4, 0, 0, 4), Instruction.of(CLASS_ALU64 | ALU_MOV, 5, 0, 0, 5),
                            Instruction.of(CLASS_ALU64 | ALU_MOV, 0, 0, 0, 0), Instruction.of(CLASS_LDX | MODE_MEM | SIZE_DW, 7, 6, 8, 0),
                            Instruction.of(CLASS_ALU64 | ALU_ADD | SRC_X, 0, 1, 0, 0), Instruction.of(CLASS_ALU64 | ALU_ADD | SRC_X, 0, 2, 0, 0),
                            Instruction.of(CLASS_ALU64 | ALU_ADD | SRC_X, 0, 3, 0, 0), Instruction.of(CLASS_ALU64 | ALU_ADD | SRC_X, 0, 4, 0, 0),
                            Instruction.of(CLASS_ALU64 | ALU_ADD | SRC_X, 0, 5, 0, 0), Instruction.of(CLASS_ALU64 | ALU_ADD | SRC_X, 0, 7, 0, 0), EXIT_INSN);
            try (NativeProgram program = NativeEngine.compile(TestPrograms.of(code))) {
                java.util.List<long[]> asked = new java.util.ArrayList<>();
                MemoryAccessPolicy policy = (address, size, write) -> {
                    asked.add(new long[] {address, size, write ? 1 : 0});
                    return address >= extra.address() && address + size <= extra.address() + extra.byteSize() && !write;
                };
                long r0 = program.execute(0, 0, java.util.List.of(), NativeProgram.DEFAULT_INSTRUCTION_LIMIT, false, policy).r0();
                assertEquals(1 + 2 + 3 + 4 + 5 + 1000, r0);
                assertEquals(1, asked.size());
                assertEquals(extra.address() + 8, asked.get(0)[0]);
                assertEquals(8, asked.get(0)[1]);
                assertThrows(BpfError.class, () -> program.execute(0, 0, java.util.List.of(), NativeProgram.DEFAULT_INSTRUCTION_LIMIT, false,
                                (address, size, write) -> false));
            }
        }
    }

    @Test
    void packetLoadsReadBigEndianAndEndTheFunctionWithZeroOutOfBounds() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment packet = arena.allocate(8);
            for (int i = 0; i < 8; i++) {
                packet.set(ValueLayout.JAVA_BYTE, i, (byte) (0x11 * (i + 1)));
            }
            RunSettings settings = RunSettings.of(java.util.List.of()).withPacket(packet.address(), 8);
            int ldAbsH = CLASS_LD | MODE_ABS | SIZE_H;
            int ldIndW = CLASS_LD | MODE_IND | SIZE_W;
            int ldAbsB = CLASS_LD | MODE_ABS | SIZE_B;
            // r0 = half at 2 (0x3344); r6 = r0; r1 = 1; r0 = word at r1 + 3 (0x55667788); r0 += r6 << 32
            java.util.List<Instruction> code = java.util.List.of(Instruction.of(ldAbsH, 0, 0, 0, 2), Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 6, 0, 0, 0),
                            Instruction.of(CLASS_ALU64 | ALU_MOV, 7, 0, 0, 1), Instruction.of(ldIndW, 0, 7, 0, 3),
                            Instruction.of(CLASS_ALU64 | ALU_LSH, 6, 0, 0, 32), Instruction.of(CLASS_ALU64 | ALU_ADD | SRC_X, 0, 6, 0, 0), EXIT_INSN);
            try (NativeProgram program = NativeEngine.compile(TestPrograms.of(code))) {
                assertEquals(0x3344_55667788L, program.execute(0, 0, settings).r0());
            }
            // The byte at 8 is past the end: the function ends with 0 before "r0 = 7" runs; the byte at 7 is not.
            for (int offset : new int[] {7, 8}) {
                try (NativeProgram program = NativeEngine.compile(TestPrograms.of(Instruction.of(ldAbsB, 0, 0, 0, offset),
                                Instruction.of(CLASS_ALU64 | ALU_MOV, 0, 0, 0, 7), EXIT_INSN))) {
                    assertEquals(offset == 7 ? 7 : 0, program.execute(0, 0, settings).r0(), "offset " + offset);
                }
            }
        }
    }

    @Test
    void helpersCanTellPointersIntoTheProgramsStackFrames() {
        HelperTable.Helper inStack = (r1, r2, r3, r4, r5) -> {
            org.trufflebpf.runtime.StackFrames frames = new org.trufflebpf.runtime.StackFrames(BpfToX86.MAX_FRAMES);
            NativeStackFrames.duringHelperCall(RunContext.current(), frames);
            return frames.allows(r1, r2) ? 1 : 0;
        };
        try (HelperTable helpers = HelperTable.builder().register(98, inStack).build()) {
            // main: r1 = r10 - 16; call sub; exit.   sub: r2 = 8; call 98 (r1 in main's frame); r6 = r0;
            //       r1 = r10 - 8; call 98 (own frame); r0 += r6; r1 = r10; r2 = 16; call 98 (saved rbp: no); r0 += ... exit
            java.util.List<Instruction> code = java.util.List.of(Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 1, 10, 0, 0),
                            Instruction.of(CLASS_ALU64 | ALU_ADD, 1, 0, 0, -16), Instruction.of(CALL, 0, CALL_LOCAL, 0, 1), EXIT_INSN,
                            Instruction.of(CLASS_ALU64 | ALU_MOV, 2, 0, 0, 8), Instruction.of(CALL, 0, 0, 0, 98),
                            Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 6, 0, 0, 0), Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 1, 10, 0, 0),
                            Instruction.of(CLASS_ALU64 | ALU_ADD, 1, 0, 0, -8), Instruction.of(CLASS_ALU64 | ALU_MOV, 2, 0, 0, 8),
                            Instruction.of(CALL, 0, 0, 0, 98), Instruction.of(CLASS_ALU64 | ALU_LSH, 6, 0, 0, 1),
                            Instruction.of(CLASS_ALU64 | ALU_ADD | SRC_X, 6, 0, 0, 0), Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 1, 10, 0, 0),
                            Instruction.of(CLASS_ALU64 | ALU_MOV, 2, 0, 0, 16), Instruction.of(CALL, 0, 0, 0, 98),
                            Instruction.of(CLASS_ALU64 | ALU_LSH, 6, 0, 0, 1), Instruction.of(CLASS_ALU64 | ALU_ADD | SRC_X, 0, 6, 0, 0), EXIT_INSN);
            try (NativeProgram program = NativeEngine.compile(TestPrograms.of(code), JitOptions.CHECKED, helpers)) {
                // bits: caller's frame yes (4), own frame yes (2), saved rbp and return address no (1)
                assertEquals(0b110, program.run(MemorySegment.NULL));
            }
        }
    }
}
