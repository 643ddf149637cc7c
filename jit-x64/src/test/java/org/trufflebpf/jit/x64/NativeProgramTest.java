package org.trufflebpf.jit.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trufflebpf.model.Opcodes.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.runtime.RunOptions;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.TailCallAbi;
import org.trufflebpf.runtime.maps.MapSet;

class NativeProgramTest {
    private static final Instruction EXIT_INSN = Instruction.of(EXIT, 0, 0, 0, 0);

    private static long run(MemorySegment context, Instruction... code) {
        try (NativeProgram program = SharedRuntime.compile(TestPrograms.of(code))) {
            return SharedRuntime.run(program, context);
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
    void callsTheRuntimesHelperThroughItsUpcallStub() {
        // ktime_get_ns is the run's deterministic clock: one second plus the seed, advancing 1 µs per reading.
        try (NativeProgram program = SharedRuntime.compile(TestPrograms.of(Instruction.of(CALL, 0, 0, 0, Helper.KTIME_GET_NS.id()), EXIT_INSN))) {
            assertEquals(1_000_001_000L, SharedRuntime.run(program, MemorySegment.NULL));
            RunOptions defaults = RunOptions.defaults();
            try (RunState state = SharedRuntime.state(new RunOptions(defaults.instructionLimit(), defaults.tailCallAbi(), 7, 1, 0), MapSet.empty())) {
                assertEquals(1_000_001_007L, SharedRuntime.run(program, state, 0, 0));
            }
        }
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
        BpfError error = assertThrows(BpfError.class, () -> NativeEngine.compile(TestPrograms.of(EXIT_INSN), JitOptions.UNCHECKED, MapSet.empty()));
        assertEquals(BpfError.Kind.LOAD, error.kind());
    }

    @Test
    void budgetCountsEachBlockBeforeItRunsAndStopsAtTheBlockThatWouldExceedIt() {
        // 0: r0 = 0; 1: r0 += 1; 2: if r0 < 5 goto 1; 3: exit. Blocks: [0] 1, [1,2] 2 (x5), [3] 1 = 12 instructions.
        List<Instruction> code = List.of(Instruction.of(CLASS_ALU64 | ALU_MOV, 0, 0, 0, 0), Instruction.of(CLASS_ALU64 | ALU_ADD, 0, 0, 0, 1),
                        Instruction.of(CLASS_JMP | JMP_JLT, 0, 0, -2, 5), EXIT_INSN);
        try (NativeProgram program = SharedRuntime.compile(TestPrograms.of(code))) {
            try (RunState state = SharedRuntime.state(SharedRuntime.options(12, TailCallAbi.COUNTER_BY_VALUE), MapSet.empty())) {
                assertEquals(5, SharedRuntime.run(program, state, 0, 0));
                assertEquals(12, state.executed(), "the run's state counts what native code executed");
            }
            try (RunState state = SharedRuntime.state(SharedRuntime.options(11, TailCallAbi.COUNTER_BY_VALUE), MapSet.empty())) {
                BpfError error = assertThrows(BpfError.class, () -> SharedRuntime.run(program, state, 0, 0));
                assertEquals(BpfError.Kind.BUDGET, error.kind());
                assertEquals(3, error.instructionIndex(), "the exit block no longer fits");
                assertEquals("execution budget of 11 instructions exhausted (11 executed; raise it with --limit)", error.reason());
                assertEquals(11, state.executed());
            }
        }
    }

    @Test
    void loopBlocksChargeTheBudgetInARegisterWithoutTouchingTheRunBlock() {
        // 0: r0 = 0; 1: r0 += 1; 2: if r0 < 5 goto 1; 3: exit: three charged blocks, no helper call.
        List<Instruction> code = List.of(Instruction.of(CLASS_ALU64 | ALU_MOV, 0, 0, 0, 0), Instruction.of(CLASS_ALU64 | ALU_ADD, 0, 0, 0, 1),
                        Instruction.of(CLASS_JMP | JMP_JLT, 0, 0, -2, 5), EXIT_INSN);
        byte[] image = BpfToX86.compile(TestPrograms.of(code), JitOptions.CHECKED).code();
        // sub/add qword [r12 + BUDGET_REMAINING], imm8: the read-modify-write of memory each block used to do.
        byte[] sub = {0x49, (byte) 0x83, 0x6c, 0x24, NativeRunBlock.BUDGET_REMAINING};
        byte[] add = {0x49, (byte) 0x83, 0x44, 0x24, NativeRunBlock.BUDGET_REMAINING};
        assertEquals(-1, indexOf(image, sub), "a block's charge subtracts from memory");
        assertEquals(-1, indexOf(image, add), "a refused charge adds back to memory");
    }

    @Test
    void budgetInARegisterStaysExactAcrossHelperCallsThatChargeIt() {
        // 0: r6 = 0; 1: call ktime_get_ns; 2: r6 += 1; 3: if r6 < 3 goto 1; 4: r0 = r6; 5: exit. A helper
        // charges the run block while the code's own count waits in a register: both must add up.
        List<Instruction> code = List.of(Instruction.of(CLASS_ALU64 | ALU_MOV, 6, 0, 0, 0), Instruction.of(CALL, 0, 0, 0, Helper.KTIME_GET_NS.id()),
                        Instruction.of(CLASS_ALU64 | ALU_ADD, 6, 0, 0, 1), Instruction.of(CLASS_JMP | JMP_JLT, 6, 0, -3, 3),
                        Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 0, 6, 0, 0), EXIT_INSN);
        try (NativeProgram program = SharedRuntime.compile(TestPrograms.of(code))) {
            long executed;
            try (RunState state = SharedRuntime.state(SharedRuntime.options(1_000_000, TailCallAbi.COUNTER_BY_VALUE), MapSet.empty())) {
                assertEquals(3, SharedRuntime.run(program, state, 0, 0));
                executed = state.executed();
            }
            // Blocks: [0] 1, then [1] 1 + the call's cost and [2,3] 2 three times, then [4,5] 2.
            long helperCost = (executed - 1 - 3 * 3 - 2) / 3;
            assertTrue(helperCost >= 1, "the helper charged the run block: " + executed);
            assertEquals(1 + 3 * (1 + helperCost + 2) + 2, executed);
            try (RunState state = SharedRuntime.state(SharedRuntime.options(executed - 1, TailCallAbi.COUNTER_BY_VALUE), MapSet.empty())) {
                BpfError error = assertThrows(BpfError.class, () -> SharedRuntime.run(program, state, 0, 0));
                assertEquals(BpfError.Kind.BUDGET, error.kind());
                assertEquals(4, error.instructionIndex(), "only the last block no longer fits");
                assertEquals(executed - 2, state.executed());
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void aFailingHelperStopsTheRunAtItsCall() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(8);
            memory.fill((byte) 0);
            // 0: r6 = r1; 1: call map_lookup_elem (r1 is the memory, not a map); 2: *(u8 *)(r6 + 0) = 1; 3: exit
            try (NativeProgram program = SharedRuntime.compile(TestPrograms.of(Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 6, 1, 0, 0),
                            Instruction.of(CALL, 0, 0, 0, Helper.MAP_LOOKUP_ELEM.id()), Instruction.of(CLASS_ST | MODE_MEM | SIZE_B, 6, 0, 0, 1), EXIT_INSN))) {
                BpfError error = assertThrows(BpfError.class, () -> SharedRuntime.run(program, memory));
                assertEquals(1, error.instructionIndex());
                assertEquals("map_lookup_elem: r1 is not a map", error.reason());
                assertEquals(0, memory.get(ValueLayout.JAVA_BYTE, 0), "nothing after the call ran");
                BpfError again = assertThrows(BpfError.class, () -> SharedRuntime.run(program, memory), "each run reports its own failure");
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
            assertEquals("write of 4 bytes at memory+4: memory is read-only", error.reason());
            assertEquals(77, memory.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
        }
    }

    @Test
    void accessesTheRegionTableMissesAreDecidedByTheRunStateWithRegistersIntact() {
        // The run's region table has room for the regions at its start plus NativeRunBlock.SPARE_REGIONS; a program
        // holding one ring-buffer reservation more than that reaches the last one only through the slow check,
        // which asks the run's state. Around that check r0..r5 must keep their values.
        StringBuilder text = new StringBuilder(".map rb ringbuf key=0 value=0 entries=4096\n.program table_miss\n");
        for (int i = 0; i <= NativeRunBlock.SPARE_REGIONS; i++) {
            text.append("    lddw %r1, map:rb\n    mov %r2, 8\n    mov %r3, 0\n    call ringbuf_reserve\n");
        }
        text.append("""
                            mov %r6, %r0
                            stdw [%r6], 1000
                            mov %r1, 1
                            mov %r2, 2
                            mov %r3, 3
                            mov %r4, 4
                            mov %r5, 5
                            mov %r0, 0
                            ldxdw %r7, [%r6]
                            add %r0, %r1
                            add %r0, %r2
                            add %r0, %r3
                            add %r0, %r4
                            add %r0, %r5
                            add %r0, %r7
                            exit
                        """);
        BpfObject object = Assembler.assemble(text.toString(), "table_miss.s");
        MapSet maps = MapSet.create(object.maps(), 1, "table_miss.s");
        try (NativeProgram program = NativeEngine.compile(object.findProgram("table_miss"), JitOptions.CHECKED, maps);
                        RunState state = SharedRuntime.state(maps)) {
            assertEquals(0, state.regions().all().size(), "a ring buffer gives the run no region of its own");
            assertEquals(1 + 2 + 3 + 4 + 5 + 1000, SharedRuntime.run(program, state, 0, 0));
            assertEquals(NativeRunBlock.SPARE_REGIONS + 1, state.regions().all().size(), "every reservation became a region of the run");
        } finally {
            maps.close();
        }
        // Discarded, the last record leaves the run: the same slow check refuses it.
        BpfObject discarding = Assembler.assemble(text.toString().replace("    mov %r6, %r0\n", "    mov %r6, %r0\n    mov %r1, %r0\n    mov %r2, 0\n"
                        + "    call ringbuf_discard\n"), "table_miss.s");
        MapSet discardingMaps = MapSet.create(discarding.maps(), 1, "table_miss.s");
        try (NativeProgram program = NativeEngine.compile(discarding.findProgram("table_miss"), JitOptions.CHECKED, discardingMaps)) {
            BpfError error = assertThrows(BpfError.class, () -> SharedRuntime.run(program, discardingMaps, MemorySegment.NULL));
            assertEquals(BpfError.Kind.RUNTIME, error.kind());
            assertTrue(error.reason().startsWith("write of 8 bytes"), error.getMessage());
        } finally {
            discardingMaps.close();
        }
    }

    @Test
    void packetLoadsReadBigEndianAndEndTheFunctionWithZeroOutOfBounds() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment packet = arena.allocate(8);
            for (int i = 0; i < 8; i++) {
                packet.set(ValueLayout.JAVA_BYTE, i, (byte) (0x11 * (i + 1)));
            }
            int ldAbsH = CLASS_LD | MODE_ABS | SIZE_H;
            int ldIndW = CLASS_LD | MODE_IND | SIZE_W;
            int ldAbsB = CLASS_LD | MODE_ABS | SIZE_B;
            // r0 = half at 2 (0x3344); r6 = r0; r1 = 1; r0 = word at r1 + 3 (0x55667788); r0 += r6 << 32
            List<Instruction> code = List.of(Instruction.of(ldAbsH, 0, 0, 0, 2), Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 6, 0, 0, 0),
                            Instruction.of(CLASS_ALU64 | ALU_MOV, 7, 0, 0, 1), Instruction.of(ldIndW, 0, 7, 0, 3),
                            Instruction.of(CLASS_ALU64 | ALU_LSH, 6, 0, 0, 32), Instruction.of(CLASS_ALU64 | ALU_ADD | SRC_X, 0, 6, 0, 0), EXIT_INSN);
            try (NativeProgram program = SharedRuntime.compile(TestPrograms.of(code))) {
                assertEquals(0x3344_55667788L, runOverPacket(program, packet));
            }
            // The byte at 8 is past the end: the function ends with 0 before "r0 = 7" runs; the byte at 7 is not.
            for (int offset : new int[] {7, 8}) {
                try (NativeProgram program = SharedRuntime.compile(TestPrograms.of(Instruction.of(ldAbsB, 0, 0, 0, offset),
                                Instruction.of(CLASS_ALU64 | ALU_MOV, 0, 0, 0, 7), EXIT_INSN))) {
                    assertEquals(offset == 7 ? 7 : 0, runOverPacket(program, packet), "offset " + offset);
                }
            }
        }
    }

    /** A run whose state holds {@code packet} as the packet LD_ABS and LD_IND read. */
    private static long runOverPacket(NativeProgram program, MemorySegment packet) {
        try (RunState state = SharedRuntime.state(MapSet.empty())) {
            state.setPacket(packet.address(), packet.address() + packet.byteSize());
            return SharedRuntime.run(program, state, 0, 0);
        }
    }

    @Test
    void helpersCanTellPointersIntoTheProgramsStackFrames() {
        // main: r1 = r10 - 16; call sub; exit.
        // sub:  trace_printk(r1, 8), the caller's frame; trace_printk(r10 - 8, 8), its own frame; then, in the
        //       refused variant, trace_printk(r10, 16): the saved rbp and return address above its frame.
        // The frames are zeroed, so each allowed call prints an empty format and returns 0.
        List<Instruction> allowed = List.of(Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 1, 10, 0, 0),
                        Instruction.of(CLASS_ALU64 | ALU_ADD, 1, 0, 0, -16), Instruction.of(CALL, 0, CALL_LOCAL, 0, 1), EXIT_INSN,
                        Instruction.of(CLASS_ALU64 | ALU_MOV, 2, 0, 0, 8), Instruction.of(CALL, 0, 0, 0, Helper.TRACE_PRINTK.id()),
                        Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 6, 0, 0, 0), Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 1, 10, 0, 0),
                        Instruction.of(CLASS_ALU64 | ALU_ADD, 1, 0, 0, -8), Instruction.of(CLASS_ALU64 | ALU_MOV, 2, 0, 0, 8),
                        Instruction.of(CALL, 0, 0, 0, Helper.TRACE_PRINTK.id()), Instruction.of(CLASS_ALU64 | ALU_ADD | SRC_X, 0, 6, 0, 0));
        List<Instruction> accepted = new ArrayList<>(allowed);
        accepted.add(EXIT_INSN);
        try (NativeProgram program = SharedRuntime.compile(TestPrograms.of(accepted))) {
            assertEquals(0, SharedRuntime.run(program, MemorySegment.NULL), "the caller's frame and its own are the program's");
        }
        List<Instruction> refused = new ArrayList<>(allowed);
        refused.addAll(List.of(Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 1, 10, 0, 0), Instruction.of(CLASS_ALU64 | ALU_MOV, 2, 0, 0, 16),
                        Instruction.of(CALL, 0, 0, 0, Helper.TRACE_PRINTK.id()), EXIT_INSN));
        try (NativeProgram program = SharedRuntime.compile(TestPrograms.of(refused))) {
            BpfError error = assertThrows(BpfError.class, () -> SharedRuntime.run(program, MemorySegment.NULL));
            assertEquals(14, error.instructionIndex());
            assertTrue(error.reason().startsWith("trace_printk format: read of 16 bytes"), error.getMessage());
        }
    }
}
