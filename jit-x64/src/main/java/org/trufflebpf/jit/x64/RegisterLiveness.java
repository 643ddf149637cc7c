package org.trufflebpf.jit.x64;

import static org.trufflebpf.model.Opcodes.*;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Program;

/**
 * Which BPF registers may still be read after each instruction of a function (backward dataflow to a fixed
 * point). The lowering uses it to skip saving rcx (BPF r4) around a shift by register when r4 is dead.
 * Conservative: calls read r1-r5, exit reads r0, and anything unknown counts as a read.
 */
final class RegisterLiveness {
    private static final int ARGUMENTS = 0b111110; // r1..r5
    private static final int CLOBBERED_BY_CALLS = 0b111111; // r0..r5

    private RegisterLiveness() {
    }

    /** Live-out register masks (bit n = BPF rn) by slot, for the instructions of one function. */
    static Map<Integer, Integer> liveAfter(Program program, JitFunction function) {
        List<Instruction> own = program.code().stream().filter(insn -> function.contains(insn.index())).toList();
        Map<Integer, Integer> position = new HashMap<>();
        for (int i = 0; i < own.size(); i++) {
            position.put(own.get(i).index(), i);
        }
        int[] liveIn = new int[own.size()];
        int[] liveOut = new int[own.size()];
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = own.size() - 1; i >= 0; i--) {
                Instruction insn = own.get(i);
                int out = 0;
                if (!insn.isExit() && !insn.isUnconditionalJump() && i + 1 < own.size()) {
                    out |= liveIn[i + 1];
                }
                if (insn.isBranch()) {
                    Integer target = position.get(insn.branchTarget());
                    out |= target == null ? 0x7ff : liveIn[target];
                }
                int in = uses(insn) | (out & ~defines(insn));
                if (in != liveIn[i] || out != liveOut[i]) {
                    liveIn[i] = in;
                    liveOut[i] = out;
                    changed = true;
                }
            }
        }
        Map<Integer, Integer> result = new HashMap<>();
        for (int i = 0; i < own.size(); i++) {
            result.put(own.get(i).index(), liveOut[i]);
        }
        return result;
    }

    private static int bit(int register) {
        return 1 << register;
    }

    private static int uses(Instruction insn) {
        int cls = insn.instructionClass();
        boolean regSource = source(insn.opcode()) == SRC_X;
        switch (cls) {
            case CLASS_ALU, CLASS_ALU64: {
                int used = insn.operation() == ALU_MOV ? 0 : bit(insn.dst());
                return regSource && insn.operation() != ALU_END && insn.operation() != ALU_NEG ? used | bit(insn.src()) : used;
            }
            case CLASS_LDX:
                return bit(insn.src());
            case CLASS_ST:
                return bit(insn.dst());
            case CLASS_STX: {
                int used = bit(insn.dst()) | bit(insn.src());
                return mode(insn.opcode()) == MODE_ATOMIC && insn.imm() == ATOMIC_CMPXCHG ? used | bit(0) : used;
            }
            case CLASS_LD:
                return insn.isWide() ? 0 : mode(insn.opcode()) == MODE_IND ? bit(insn.src()) | bit(6) : bit(6);
            case CLASS_JMP, CLASS_JMP32: {
                if (insn.isExit()) {
                    return bit(0);
                }
                if (insn.isCallx()) {
                    return ARGUMENTS | bit(insn.dst());
                }
                if (insn.opcode() == CALL) {
                    return ARGUMENTS;
                }
                if (insn.isUnconditionalJump()) {
                    return 0;
                }
                return regSource ? bit(insn.dst()) | bit(insn.src()) : bit(insn.dst());
            }
            default:
                return 0x7ff;
        }
    }

    /** The registers {@code insn} writes (a call: r0 to r5). */
    static int defines(Instruction insn) {
        int cls = insn.instructionClass();
        switch (cls) {
            case CLASS_ALU, CLASS_ALU64, CLASS_LDX:
                return bit(insn.dst());
            case CLASS_LD:
                return insn.isWide() ? bit(insn.dst()) : CLOBBERED_BY_CALLS;
            case CLASS_STX:
                if (mode(insn.opcode()) == MODE_ATOMIC && (insn.imm() & ATOMIC_FETCH) != 0) {
                    return insn.imm() == ATOMIC_CMPXCHG ? bit(0) : bit(insn.src());
                }
                return 0;
            case CLASS_JMP:
                return insn.opcode() == CALL || insn.isCallx() ? CLOBBERED_BY_CALLS : 0;
            default:
                return 0;
        }
    }
}
