package org.trufflebpf.jit.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.trufflebpf.model.Opcodes.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Program;

/**
 * Division, modulo and shifts by register need rax, rdx and rcx (BPF r0, r3, r4) on x86: every pair of
 * destination and source among r0..r9 (same register included), 32- and 64-bit, signed and unsigned, on
 * operands that include zero, -1 and the minimum value, must give the BPF result and leave every other
 * register untouched. The expected values come from the RFC 9669 definitions written in Java below.
 */
class DivisionAndShiftOperandsTest {
    private static final long[][] VALUE_SETS = {
        {0x0123456789abcdefL, 0x1111L, 0x2222222222L, 0x33L, 0x4444L, 0x55555L, 0x666L, 0x77L, 0x88888888L, 0x99L},
        {-1000, 0, 7, 0, -3, 0, 12345, 0, 99, 0}, // divisors of zero
        {Long.MIN_VALUE, -1, Long.MIN_VALUE, -1, Long.MIN_VALUE, -1, Long.MIN_VALUE, -1, Long.MIN_VALUE, -1},
        {0xffffffff80000000L, 0xffffffffL, 0x80000000L, 0x12345678ffffffffL, 0x80000000L, -1, 0x7fffffff80000000L, 0xffffffffL,
                        0x80000000L, 0xffffffffL},
        {67, 131, -5, 35, 1 << 20, 63, 64, -1, 200, 33}, // shift counts beyond the width
    };

    private record Op(String name, int operation, int offset) {
    }

    private static final Op[] OPS = {new Op("div", ALU_DIV, 0), new Op("mod", ALU_MOD, 0), new Op("sdiv", ALU_DIV, 1), new Op("smod", ALU_MOD, 1),
                    new Op("lsh", ALU_LSH, 0), new Op("rsh", ALU_RSH, 0), new Op("arsh", ALU_ARSH, 0)};

    static long expected(Op op, boolean w, long a, long b) {
        if (w) {
            return switch (op.name()) {
                case "div" -> b == 0 ? 0 : Long.divideUnsigned(a, b);
                case "mod" -> b == 0 ? a : Long.remainderUnsigned(a, b);
                case "sdiv" -> b == 0 ? 0 : a / b; // Java's MIN / -1 is MIN, as in BPF
                case "smod" -> b == 0 ? a : a % b;
                case "lsh" -> a << (b & 63);
                case "rsh" -> a >>> (b & 63);
                default -> a >> (b & 63);
            };
        }
        int x = (int) a;
        int y = (int) b;
        int r = switch (op.name()) {
            case "div" -> y == 0 ? 0 : Integer.divideUnsigned(x, y);
            case "mod" -> y == 0 ? x : Integer.remainderUnsigned(x, y);
            case "sdiv" -> y == 0 ? 0 : x / y;
            case "smod" -> y == 0 ? x : x % y;
            case "lsh" -> x << (y & 31);
            case "rsh" -> x >>> (y & 31);
            default -> x >> (y & 31);
        };
        return r & 0xffffffffL;
    }

    /** Saves r1 (the context) on the stack, then per value set: load r0..r9, run the op, store r0..r9 to the context. */
    private static List<Instruction> program(Op op, boolean w, int dst, int src) {
        List<Instruction> code = new ArrayList<>();
        code.add(Instruction.of(CLASS_STX | MODE_MEM | SIZE_DW, 10, 1, -88, 0));
        for (int set = 0; set < VALUE_SETS.length; set++) {
            for (int r = 0; r <= 9; r++) {
                code.add(Instruction.lddw(r, 0, VALUE_SETS[set][r]));
            }
            code.add(Instruction.of((w ? CLASS_ALU64 : CLASS_ALU) | op.operation() | SRC_X, dst, src, op.offset(), 0));
            for (int r = 0; r <= 9; r++) {
                code.add(Instruction.of(CLASS_STX | MODE_MEM | SIZE_DW, 10, r, -8 * (r + 1), 0));
            }
            code.add(Instruction.of(CLASS_LDX | MODE_MEM | SIZE_DW, 1, 10, -88, 0));
            for (int r = 0; r <= 9; r++) {
                code.add(Instruction.of(CLASS_LDX | MODE_MEM | SIZE_DW, 2, 10, -8 * (r + 1), 0));
                code.add(Instruction.of(CLASS_STX | MODE_MEM | SIZE_DW, 1, 2, 8 * (10 * set + r), 0));
            }
        }
        code.add(Instruction.of(EXIT, 0, 0, 0, 0));
        return code;
    }

    @Test
    void everyRegisterPairGivesTheBpfResultAndKeepsTheOtherRegisters() {
        int checked = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(8L * 10 * VALUE_SETS.length, 8);
            for (Op op : OPS) {
                for (boolean w : new boolean[] {true, false}) {
                    for (int dst = 0; dst <= 9; dst++) {
                        for (int src = 0; src <= 9; src++) {
                            memory.fill((byte) 0);
                            try (NativeProgram program = SharedRuntime.compile(TestPrograms.of(program(op, w, dst, src)))) {
                                SharedRuntime.run(program, memory);
                            }
                            for (int set = 0; set < VALUE_SETS.length; set++) {
                                for (int r = 0; r <= 9; r++) {
                                    long want = r == dst ? expected(op, w, VALUE_SETS[set][dst], VALUE_SETS[set][src]) : VALUE_SETS[set][r];
                                    long got = memory.getAtIndex(ValueLayout.JAVA_LONG, 10L * set + r);
                                    String where = String.format("%s%s r%d, r%d, value set %d: r%d", op.name(), w ? "" : "32", dst, src, set, r);
                                    assertEquals(want, got, where);
                                    checked++;
                                }
                            }
                        }
                    }
                }
            }
        }
        assertEquals(OPS.length * 2 * 100 * VALUE_SETS.length * 10, checked);
    }

    @Test
    void shiftByRegisterKeepsRcxOnlyWhileR4IsLive() {
        // r6 = 5; r7 = 3; r4 = 100; lsh r6, r7; then r4 is either read (live) or overwritten (dead).
        for (boolean r4Live : new boolean[] {true, false}) {
            List<Instruction> code = new ArrayList<>(List.of(Instruction.of(CLASS_ALU64 | ALU_MOV, 6, 0, 0, 5), Instruction.of(CLASS_ALU64 | ALU_MOV, 7, 0, 0, 3),
                            Instruction.of(CLASS_ALU64 | ALU_MOV, 4, 0, 0, 100), Instruction.of(CLASS_ALU64 | ALU_LSH | SRC_X, 6, 7, 0, 0)));
            if (!r4Live) {
                code.add(Instruction.of(CLASS_ALU64 | ALU_MOV, 4, 0, 0, 0));
            }
            code.add(Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 0, 6, 0, 0));
            code.add(Instruction.of(CLASS_ALU64 | ALU_ADD | SRC_X, 0, 4, 0, 0));
            code.add(Instruction.of(EXIT, 0, 0, 0, 0));
            Program program = TestPrograms.of(code);
            try (NativeProgram compiled = SharedRuntime.compile(program)) {
                assertEquals((5 << 3) + (r4Live ? 100 : 0), SharedRuntime.run(compiled, MemorySegment.NULL));
                int shiftBytes = compiled.image().insnEnd()[3] - compiled.image().insnStart()[3];
                // live: mov r11,rcx; mov rcx,r15; shl rbx,cl; mov rcx,r11 (12 bytes) - dead: the middle two (6 bytes)
                assertEquals(r4Live ? 12 : 6, shiftBytes);
            }
        }
    }
}
