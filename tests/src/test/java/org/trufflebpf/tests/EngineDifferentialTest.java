package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.trufflebpf.fuzz.DiffCase;
import org.trufflebpf.fuzz.DifferentialRunner;

/**
 * The interpreter and the native engine on the same generated programs, one instruction class at a time:
 * every register starts with an interesting value (0, -1, extremes, random), a random sequence of the class
 * runs, then all registers and the stack are folded into r0. Both engines must give the same r0, or the same
 * error; run as XDP programs, the host kernel must agree too. A divergence prints the program, which replays as is.
 */
class EngineDifferentialTest {
    private static final int PROGRAMS_PER_CLASS = 150;
    private static final int BODY_LENGTH = 24;
    private static Context interpreter;
    private static Context nativeEngine;
    private static Context interpreterSmallBudget;
    private static Context nativeSmallBudget;
    private static Context interpreterUnverified;
    private static Context nativeUnverified;

    @BeforeAll
    static void setUp() {
        interpreter = BpfRunner.contextBuilder().option("bpf.Engine", "interpreter").build();
        nativeEngine = BpfRunner.contextBuilder().option("bpf.Engine", "native").build();
        interpreterSmallBudget = BpfRunner.contextBuilder().option("bpf.Engine", "interpreter").option("bpf.InstructionLimit", "60").build();
        nativeSmallBudget = BpfRunner.contextBuilder().option("bpf.Engine", "native").option("bpf.InstructionLimit", "60").build();
        interpreterUnverified = BpfRunner.contextBuilder().option("bpf.Engine", "interpreter").option("bpf.Verify", "false").build();
        nativeUnverified = BpfRunner.contextBuilder().option("bpf.Engine", "native").option("bpf.Verify", "false").build();
    }

    @AfterAll
    static void tearDown() {
        interpreter.close();
        nativeEngine.close();
        interpreterSmallBudget.close();
        nativeSmallBudget.close();
        interpreterUnverified.close();
        nativeUnverified.close();
    }

    private static final long[] INTERESTING = {0, 1, -1, 2, 7, 31, 32, 63, 64, Integer.MAX_VALUE, Integer.MIN_VALUE, 0xffffffffL, 0x80000000L,
                    Long.MAX_VALUE, Long.MIN_VALUE, 0x0123456789abcdefL, -0x100000000L};

    private static long value(SplittableRandom random) {
        return random.nextInt(3) == 0 ? random.nextLong() : INTERESTING[random.nextInt(INTERESTING.length)];
    }

    private static int imm(SplittableRandom random) {
        return random.nextInt(3) == 0 ? random.nextInt() : (int) INTERESTING[random.nextInt(INTERESTING.length)];
    }

    private static String reg(SplittableRandom random) {
        return "%r" + random.nextInt(10);
    }

    /** One instruction class: a generator of one body instruction (index i of n, for forward jumps). */
    private record InsnClass(String name, Function<SplittableRandom, String> next) {
    }

    private static final String[] ALU = {"add", "sub", "mul", "or", "and", "xor", "lsh", "rsh", "arsh", "mov"};
    private static final String[] DIV = {"div", "mod", "sdiv", "smod"};
    private static final String[] JUMPS = {"jeq", "jne", "jgt", "jge", "jlt", "jle", "jsgt", "jsge", "jslt", "jsle", "jset"};
    private static final String[] SIZES = {"b", "h", "w", "dw"};

    private static String operand(SplittableRandom random) {
        return random.nextBoolean() ? reg(random) : Integer.toString(imm(random));
    }

    /** A divisor: a register (which may hold 0: BPF defines that) or an immediate other than 0, which the verifier refuses as the kernel does. */
    private static String divisor(SplittableRandom random) {
        String operand = operand(random);
        return operand.equals("0") ? reg(random) : operand;
    }

    private static final List<InsnClass> CLASSES = List.of(
                    new InsnClass("alu64", r -> r.nextInt(12) == 0 ? "neg " + reg(r) : ALU[r.nextInt(ALU.length)] + " " + reg(r) + ", " + operand(r)),
                    new InsnClass("alu32", r -> r.nextInt(12) == 0 ? "neg32 " + reg(r) : ALU[r.nextInt(ALU.length)] + "32 " + reg(r) + ", " + operand(r)),
                    new InsnClass("div-mod", r -> DIV[r.nextInt(DIV.length)] + (r.nextBoolean() ? "32 " : " ") + reg(r) + ", " + divisor(r)),
                    new InsnClass("movsx", r -> new String[] {"movsx832", "movsx864", "movsx1632", "movsx1664", "movsx3264"}[r.nextInt(5)] + " " + reg(r) + ", "
                                    + reg(r)),
                    new InsnClass("byte-order", r -> new String[] {"le", "be", "bswap"}[r.nextInt(3)] + new int[] {16, 32, 64}[r.nextInt(3)] + " " + reg(r)),
                    new InsnClass("jmp", r -> JUMPS[r.nextInt(JUMPS.length)] + " " + reg(r) + ", " + operand(r) + ", +" + r.nextInt(4)),
                    new InsnClass("jmp32", r -> JUMPS[r.nextInt(JUMPS.length)] + "32 " + reg(r) + ", " + operand(r) + ", +" + r.nextInt(4)),
                    new InsnClass("memory", EngineDifferentialTest::memoryInsn),
                    new InsnClass("atomic", EngineDifferentialTest::atomicInsn));

    /** Loads and stores of every size, signed loads included, at aligned offsets of a 64-byte stack area. */
    private static String memoryInsn(SplittableRandom r) {
        int sizeIndex = r.nextInt(4);
        int bytes = 1 << sizeIndex;
        int offset = -8 * (1 + r.nextInt(8)) + bytes * r.nextInt(8 / bytes);
        String at = "[%r10" + offset + "]";
        return switch (r.nextInt(4)) {
            case 0 -> "ldx" + SIZES[sizeIndex] + " " + reg(r) + ", " + at;
            case 1 -> sizeIndex < 3 ? "ldxs" + SIZES[sizeIndex] + " " + reg(r) + ", " + at : "ldxdw " + reg(r) + ", " + at;
            case 2 -> "st" + SIZES[sizeIndex] + " " + at + ", " + imm(r);
            default -> "stx" + SIZES[sizeIndex] + " " + at + ", " + reg(r);
        };
    }

    /** Every atomic operation, 32- and 64-bit, on the stack area. */
    private static String atomicInsn(SplittableRandom r) {
        boolean wide = r.nextBoolean();
        int offset = -8 * (1 + r.nextInt(8)) + (wide ? 0 : 4 * r.nextInt(2));
        String at = "[%r10" + offset + "]";
        String suffix = wide ? "" : "32";
        return switch (r.nextInt(4)) {
            case 0 -> "lock " + new String[] {"add", "and", "or", "xor"}[r.nextInt(4)] + suffix + " " + at + ", " + reg(r);
            case 1 -> "lock fetch " + new String[] {"add", "and", "or", "xor"}[r.nextInt(4)] + suffix + " " + at + ", " + reg(r);
            case 2 -> "lock xchg" + suffix + " " + at + ", " + reg(r);
            default -> "lock cmpxchg" + suffix + " " + at + ", " + reg(r);
        };
    }

    /** Registers and the 64-byte stack area set, the body, then everything folded into r0. */
    static String program(InsnClass insnClass, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder text = new StringBuilder();
        for (int r = 0; r <= 9; r++) {
            text.append("lddw %r").append(r).append(", ").append(value(random)).append('\n');
        }
        for (int slot = 1; slot <= 8; slot++) {
            text.append("stxdw [%r10-").append(8 * slot).append("], %r").append(slot).append('\n');
        }
        for (int i = 0; i < BODY_LENGTH; i++) {
            text.append(insnClass.next().apply(random)).append('\n');
        }
        for (int r = 1; r <= 9; r++) {
            text.append("mul %r0, 31\nxor %r0, %r").append(r).append('\n');
        }
        for (int slot = 1; slot <= 8; slot++) {
            text.append("ldxdw %r1, [%r10-").append(8 * slot).append("]\nmul %r0, 31\nxor %r0, %r1\n");
        }
        text.append("exit\n");
        return text.toString();
    }

    private static String outcome(Context context, String program, String name) {
        try {
            Value module = BpfRunner.evalAsm(context, program, name);
            return "r0 = " + module.execute().asLong();
        } catch (PolyglotException e) {
            return "error: " + e.getMessage();
        }
    }

    @TestFactory
    Stream<DynamicTest> bothEnginesAgreeOnEveryInstructionClass() {
        List<DynamicTest> tests = new ArrayList<>();
        for (InsnClass insnClass : CLASSES) {
            tests.add(DynamicTest.dynamicTest(insnClass.name(), () -> {
                int results = 0;
                List<String> errors = new ArrayList<>();
                for (int i = 0; i < PROGRAMS_PER_CLASS; i++) {
                    long seed = insnClass.name().hashCode() * 1_000_003L + i;
                    String program = program(insnClass, seed);
                    String name = insnClass.name() + "-" + seed + ".s";
                    String expected = outcome(interpreter, program, name);
                    String actual = outcome(nativeEngine, program, name);
                    assertEquals(expected, actual, () -> "engines differ on " + name + ":\n" + program);
                    if (expected.startsWith("r0 = ")) {
                        results++;
                    } else {
                        errors.add(expected);
                    }
                }
                // The generator must exercise the engines, not the assembler or verifier: most programs run.
                assertEquals(true, results >= PROGRAMS_PER_CLASS * 9 / 10, results + " of " + PROGRAMS_PER_CLASS + " ran; errors: " + errors);
            }));
        }
        return tests.stream();
    }

    /**
     * The same programs as XDP programs (they overwrite r1 before anything reads it) on all three engines: the host
     * kernel's verifier and JIT are the reference for every instruction class. Immediates the kernel refuses (shifts
     * by the width or more, division by zero) are brought into range first, since one such instruction would make
     * the kernel reject the whole program. The kernel must accept nearly all of them (a rejection only the kernel
     * makes is counted, not a divergence) and agree on r0 (its low 32 bits: BPF_PROG_TEST_RUN's retval).
     */
    @TestFactory
    Stream<DynamicTest> theKernelAgreesOnEveryInstructionClass() {
        KernelEngineTest.assumeKernel();
        return CLASSES.stream().map(insnClass -> DynamicTest.dynamicTest(insnClass.name(), () -> {
            int compared = 0;
            List<String> kernelOnly = new ArrayList<>();
            try (DifferentialRunner runner = new DifferentialRunner(Map.of("bpf.Context", "xdp"))) {
                for (int i = 0; i < PROGRAMS_PER_CLASS; i++) {
                    long seed = insnClass.name().hashCode() * 1_000_003L + i;
                    String program = kernelValid(program(insnClass, seed));
                    DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly(insnClass.name() + "-" + seed + ".s", program, null, new byte[64]));
                    assertFalse(comparison.diverges(), () -> "engines differ on " + insnClass.name() + "-" + seed + ".s:\n" + comparison.report() + program);
                    compared += comparison.kernelResult() == DifferentialRunner.KernelResult.COMPARED && comparison.kernel().r0() != null ? 1 : 0;
                    if (comparison.kernelResult() == DifferentialRunner.KernelResult.ONLY_KERNEL_REJECTS && kernelOnly.size() < 5) {
                        kernelOnly.add(comparison.kernelNote());
                    }
                }
            }
            assertTrue(compared >= PROGRAMS_PER_CLASS * 9 / 10, compared + " of " + PROGRAMS_PER_CLASS + " ran in the kernel; only it rejected: " + kernelOnly);
        }));
    }

    private static final Pattern SHIFT_BY_IMMEDIATE = Pattern.compile("^(lsh|rsh|arsh)(32)?( %r\\d, )(-?\\d+)$",
                    Pattern.MULTILINE);
    private static final Pattern DIVISION_BY_ZERO = Pattern.compile("^((?:s?div|s?mod)(?:32)? %r\\d, )0$",
                    Pattern.MULTILINE);

    /** Shift immediates taken modulo the operation's width and division by an immediate 0 made by 1, as the kernel wants them. */
    private static String kernelValid(String program) {
        String shifts = SHIFT_BY_IMMEDIATE.matcher(program).replaceAll(m -> m.group(1) + (m.group(2) == null ? "" : m.group(2)) + m.group(3)
                        + (Integer.parseInt(m.group(4)) & (m.group(2) == null ? 63 : 31)));
        return DIVISION_BY_ZERO.matcher(shifts).replaceAll("$11");
    }

    /** With a budget that runs out midway, both engines stop at the same instruction with the same count. */
    @TestFactory
    Stream<DynamicTest> bothEnginesExhaustTheBudgetAtTheSamePlace() {
        return CLASSES.stream().filter(c -> c.name().startsWith("jmp") || c.name().equals("alu64")).map(insnClass -> DynamicTest.dynamicTest(insnClass.name(), () -> {
            int budgetErrors = 0;
            for (int i = 0; i < PROGRAMS_PER_CLASS; i++) {
                long seed = insnClass.name().hashCode() * 7_919L + i;
                String program = program(insnClass, seed);
                String name = insnClass.name() + "-budget-" + seed + ".s";
                String expected = outcome(interpreterSmallBudget, program, name);
                assertEquals(expected, outcome(nativeSmallBudget, program, name), () -> "engines differ on " + name + ":\n" + program);
                budgetErrors += expected.contains("execution budget of 60 instructions exhausted") ? 1 : 0;
            }
            assertEquals(true, budgetErrors > PROGRAMS_PER_CLASS / 2, budgetErrors + " of " + PROGRAMS_PER_CLASS + " ran out of budget");
        }));
    }

    /** Programs that fail at run time: both engines stop at the same instruction with the same words. */
    @TestFactory
    Stream<DynamicTest> bothEnginesReportTheSameRuntimeErrors() {
        String[][] cases = {
            {"context-read-past-end", "ldxdw %r0, [%r1+64]\nexit\n"},
            {"wild-store", "lddw %r1, 0x1000\nstw [%r1], 1\nexit\n"},
            {"null-read", "mov %r2, 0\nldxb %r0, [%r2]\nexit\n"},
            {"callx-unknown", "mov %r3, 500\ncall %r3\nexit\n"},
            // An id inside the native engine's callx table without a helper, and one far past its end.
            {"callx-id-without-helper", "mov %r3, 0\ncall %r3\nexit\n"},
            {"callx-huge-id", "mov %r3, 0x7fffffff\ncall %r3\nexit\n"},
            {"helper-bad-key", ".map a array key=4 value=8 entries=1\nlddw %r1, map:a\nmov %r2, 16\ncall map_lookup_elem\nexit\n"},
            {"endless-loop", "mov %r0, 0\nloop:\nadd %r0, 1\nja loop\n"},
            // x86 would do these misaligned locked accesses; both engines refuse them, on the stack and in the input.
            {"misaligned-atomic-stack", "stdw [%r10-8], 0\nmov %r1, 1\nlock add [%r10-7], %r1\nmov %r0, 0\nexit\n"},
            {"misaligned-atomic32-input", "mov %r2, 1\nlock fetch or32 [%r1+2], %r2\nmov %r0, 0\nexit\n"},
            {"misaligned-cmpxchg-input", "mov %r0, 0\nmov %r2, 1\nlock cmpxchg [%r1+4], %r2\nexit\n"},
            // A socket filter's packet is its input region (the native engine's inline check) but read-only.
            {"socket-filter-packet-write", ".program wr socket\nldxw %r2, [%r1+76]\nstb [%r2+0], 1\nmov %r0, 0\nexit\n"},
        };
        return Stream.of(cases).map(c -> DynamicTest.dynamicTest(c[0], () -> {
            String expected = outcomeWithInput(interpreterUnverified, c[1], c[0] + ".s");
            String actual = outcomeWithInput(nativeUnverified, c[1], c[0] + ".s");
            assertEquals(true, expected.startsWith("error: "), expected);
            // Addresses differ between engines (each sets up its own memory); everything else must match.
            assertEquals(expected.replaceAll("0x[0-9a-f]+", "ADDRESS"), actual.replaceAll("0x[0-9a-f]+", "ADDRESS"));
        }));
    }

    /**
     * LD_ABS and LD_IND read big-endian 1, 2 and 4 bytes at imm (plus the index register's low 32 bits) of a
     * packet whose bytes all differ, so that a missed byte swap or a dropped immediate shows; each load is folded
     * into r0 by a shift and xor. Offsets past the end return 0 from the program.
     */
    @Test
    void legacyPacketLoadsReadTheBigEndianBytesAtTheirOffsetOnBothEngines() {
        byte[] packet = new byte[32];
        for (int i = 0; i < packet.length; i++) {
            packet[i] = (byte) (0x11 * (i % 15 + 1) + i);
        }
        String program = """
                        .program legacy socket
                        mov %r6, %r1
                        mov %r9, 0
                        ldabsw 4
                        xor %r9, %r0
                        lsh %r9, 7
                        ldabsh 9
                        xor %r9, %r0
                        lsh %r9, 7
                        ldabsb 13
                        xor %r9, %r0
                        lsh %r9, 7
                        mov %r7, 3
                        ldindw %r7, 14
                        xor %r9, %r0
                        lsh %r9, 7
                        mov %r7, -2
                        ldindh %r7, 25
                        xor %r9, %r0
                        mov %r0, %r9
                        exit
                        """;
        long expected = 0;
        int[][] loads = {{4, 4}, {9, 2}, {13, 1}, {17, 4}, {23, 2}};
        for (int i = 0; i < loads.length; i++) {
            long value = 0;
            for (int b = 0; b < loads[i][1]; b++) {
                value = value << 8 | (packet[loads[i][0] + b] & 0xff);
            }
            expected ^= value;
            if (i < loads.length - 1) {
                expected <<= 7;
            }
        }
        for (Context context : List.of(interpreter, nativeEngine)) {
            assertEquals(expected, BpfRunner.evalAsm(context, program, "legacy.s").execute(packet).asLong());
        }
        // r0 is set before the load that fails, so that the function's 0 must come from the load.
        String past = ".program past socket\nmov %r6, %r1\nmov %r0, 5\nldabsw 29\nmov %r0, 5\nexit\n";
        for (Context context : List.of(interpreter, nativeEngine)) {
            assertEquals(0, BpfRunner.evalAsm(context, past, "past.s").execute(packet).asLong());
        }
    }

    private static String outcomeWithInput(Context context, String program, String name) {
        try {
            Value module = BpfRunner.evalAsm(context, program, name);
            return "r0 = " + module.execute(new byte[16]).asLong();
        } catch (PolyglotException e) {
            return "error: " + e.getMessage();
        }
    }
}
