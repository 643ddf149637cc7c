package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.trufflebpf.model.Opcodes.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.ConformanceFile;
import org.trufflebpf.conformance.ConformanceSuite;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfFunction;
import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.InstructionText;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramAnalysis;
import org.trufflebpf.model.ProgramType;

/**
 * Whatever it is given, the verifier either returns a consistent analysis or throws a VERIFY {@link BpfError};
 * never another exception. Random programs (seeded, so failures replay) and mutants of the conformance suite.
 */
class VerifierFuzzTest {
    private static final List<MapDefinition> MAPS = List.of(MapDefinition.of("jmp_table", MapType.PROG_ARRAY, 4, 4, 4),
                    MapDefinition.of("counters", MapType.HASH, 4, 8, 16));
    private static final int[] ALU_OPS = {ALU_ADD, ALU_SUB, ALU_MUL, ALU_DIV, ALU_OR, ALU_AND, ALU_LSH, ALU_RSH, ALU_NEG, ALU_MOD, ALU_XOR,
                    ALU_MOV, ALU_ARSH, ALU_END};
    private static final int[] JMP_OPS = {JMP_JEQ, JMP_JGT, JMP_JGE, JMP_JSET, JMP_JNE, JMP_JSGT, JMP_JSGE, JMP_JLT, JMP_JLE, JMP_JSLT, JMP_JSLE};
    private static final int[] SIZES = {SIZE_B, SIZE_H, SIZE_W, SIZE_DW};
    private static final int[] HELPERS = {1, 2, 3, 5, 6, 7, 12, 12, 12, 26, 130, 999};

    @Test
    void randomProgramsAreVerifiedOrRejectedCleanly() {
        Random random = new Random(20261125);
        int accepted = 0;
        for (int round = 0; round < 30_000; round++) {
            List<Instruction> code = randomProgram(random);
            Program program = new Program("fuzz", null, random.nextBoolean() ? ProgramType.RAW : ProgramType.SOCKET_FILTER, code, MAPS, "fuzz.s",
                            Map.of(), null);
            if (verifyCleanly(program, "seed round " + round)) {
                accepted++;
            }
        }
        // The generator is biased towards valid programs, so both outcomes are exercised.
        assertTrue(accepted > 100, "accepted " + accepted);
    }

    @Test
    void mutantsOfTheConformanceSuiteAreVerifiedOrRejectedCleanly() throws Exception {
        assumeTrue(ConformanceSuite.directory().isPresent(), ConformanceSuite.whereToPut());
        Random random = new Random(42);
        for (Path path : ConformanceSuite.files("tests")) {
            Program original = ConformanceFile.read(path).program();
            for (int i = 0; i < 40; i++) {
                List<Instruction> code = new ArrayList<>(original.code());
                int position = random.nextInt(code.size());
                Instruction insn = code.get(position);
                Instruction mutant = switch (random.nextInt(5)) {
                    case 0 -> new Instruction(insn.index(), insn.opcode(), random.nextInt(11), insn.src(), insn.offset(), insn.imm(), insn.imm2());
                    case 1 -> new Instruction(insn.index(), insn.opcode(), insn.dst(), random.nextInt(11), insn.offset(), insn.imm(), insn.imm2());
                    case 2 -> new Instruction(insn.index(), insn.opcode(), insn.dst(), insn.src(), random.nextInt(41) - 20, insn.imm(), insn.imm2());
                    case 3 -> new Instruction(insn.index(), insn.opcode(), insn.dst(), insn.src(), insn.offset(), random.nextInt(), insn.imm2());
                    default -> insn.isWide() ? insn : new Instruction(insn.index(), random.nextInt(256), insn.dst(), insn.src(), insn.offset(), insn.imm(), 0);
                };
                if (mutant.isWide() != insn.isWide()) {
                    continue; // changing the slot count would just be a slot-index error
                }
                code.set(position, mutant);
                verifyCleanly(new Program(original.name(), null, ProgramType.RAW, code, List.of(), original.sourceName(), Map.of(), null),
                                path.getFileName() + " mutant " + i);
            }
        }
    }

    /** True when accepted (and then consistent), false when rejected with a VERIFY error. */
    private static boolean verifyCleanly(Program program, String what) {
        Program verified;
        try {
            verified = Verifier.verify(program);
        } catch (BpfError e) {
            assertEquals(BpfError.Kind.VERIFY, e.kind(), what);
            assertTrue(e.getMessage().startsWith(program.sourceName() + ": function '"), what + ": " + e.getMessage());
            return false;
        } catch (RuntimeException | StackOverflowError e) {
            fail(what + ": " + e + "\n" + program.code().stream().map(InstructionText::format).collect(Collectors.joining("\n")), e);
            return false;
        }
        checkConsistent(verified, what);
        return true;
    }

    private static void checkConsistent(Program verified, String what) {
        ProgramAnalysis a = verified.analysis();
        int slot = 0;
        for (BpfFunction f : a.functions()) {
            assertEquals(slot, f.start(), what);
            assertTrue(f.end() > f.start(), what);
            assertTrue(f.stackDepth() >= 0 && f.stackDepth() <= MAX_STACK, what);
            slot = f.end();
        }
        assertEquals(verified.slotCount(), slot, what);
        assertTrue(a.maxStackDepth() <= MAX_STACK, what);
        for (Instruction insn : verified.code()) {
            if (insn.isHelperCall() && insn.imm() == Helper.TAIL_CALL.id()) {
                assertTrue(a.tailCallSites().containsKey(insn.index()), what);
                assertTrue(a.functionAt(insn.index()).callsTailCall(), what);
            }
        }
    }

    private static List<Instruction> randomProgram(Random random) {
        int length = 1 + random.nextInt(30);
        List<Instruction> code = new ArrayList<>();
        int slot = 0;
        for (int i = 0; i < length; i++) {
            Instruction insn = randomInstruction(random, length - i);
            code.add(insn.at(slot));
            slot += insn.slots();
        }
        if (random.nextInt(4) != 0) {
            code.add(Instruction.of(CLASS_ALU64 | ALU_MOV, 0, 0, 0, 0).at(slot++));
            code.add(Instruction.of(EXIT, 0, 0, 0, 0).at(slot));
        }
        return code;
    }

    private static Instruction randomInstruction(Random random, int remaining) {
        int reg = random.nextInt(11);
        int other = random.nextInt(11);
        int jump = random.nextInt(remaining + 4) - 3;
        return switch (random.nextInt(16)) {
            case 0, 1 -> Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, reg == 10 ? 0 : reg, other, 0, 0);
            case 2 -> Instruction.of(CLASS_ALU64 | ALU_MOV, random.nextInt(10), 0, 0, random.nextInt(20) - 4);
            case 3 -> {
                int op = ALU_OPS[random.nextInt(ALU_OPS.length)];
                int cls = random.nextBoolean() ? CLASS_ALU64 : CLASS_ALU;
                if (op == ALU_NEG) {
                    yield Instruction.of(cls | op, random.nextInt(10), 0, 0, 0);
                }
                if (op == ALU_END) {
                    yield Instruction.of(cls | op, random.nextInt(10), 0, 0, 16 << random.nextInt(3));
                }
                yield random.nextBoolean() ? Instruction.of(cls | op | SRC_X, random.nextInt(10), other, 0, 0)
                                : Instruction.of(cls | op, random.nextInt(10), 0, 0, random.nextInt(70) - 8);
            }
            case 4 -> Instruction.of(CLASS_ALU64 | ALU_ADD, random.nextInt(10), 0, 0, -8 * random.nextInt(70));
            case 5 -> Instruction.of(CLASS_STX | MODE_MEM | SIZES[random.nextInt(4)], random.nextBoolean() ? 10 : reg, other, -random.nextInt(530), 0);
            case 6 -> Instruction.of(CLASS_ST | MODE_MEM | SIZES[random.nextInt(4)], random.nextBoolean() ? 10 : reg, 0, -random.nextInt(530), 7);
            case 7 -> Instruction.of(CLASS_LDX | MODE_MEM | SIZES[random.nextInt(4)], random.nextInt(10), random.nextBoolean() ? 10 : other,
                            -random.nextInt(530), 0);
            case 8 -> Instruction.of(CLASS_JMP | JMP_OPS[random.nextInt(JMP_OPS.length)], reg, 0, jump, random.nextInt(10));
            case 9 -> Instruction.of((random.nextBoolean() ? CLASS_JMP : CLASS_JMP32) | JMP_OPS[random.nextInt(JMP_OPS.length)] | SRC_X, reg, other, jump, 0);
            case 10 -> Instruction.of(JA, 0, 0, jump, 0);
            case 11 -> Instruction.of(CALL, 0, CALL_HELPER, 0, HELPERS[random.nextInt(HELPERS.length)]);
            case 12 -> Instruction.of(CALL, 0, CALL_LOCAL, 0, random.nextInt(remaining + 2) - 1);
            case 13 -> Instruction.lddw(random.nextInt(10), random.nextBoolean() ? PSEUDO_MAP_FD : PSEUDO_NONE, random.nextInt(2));
            case 14 -> Instruction.of(CLASS_STX | MODE_ATOMIC | (random.nextBoolean() ? SIZE_W : SIZE_DW), random.nextBoolean() ? 10 : reg, other,
                            -8 * random.nextInt(65), random.nextBoolean() ? ATOMIC_ADD : ATOMIC_CMPXCHG);
            default -> Instruction.of(EXIT, 0, 0, 0, 0);
        };
    }
}
