package org.trufflebpf.model;

import static org.trufflebpf.model.Opcodes.*;

/**
 * The encoding rules of RFC 9669 for one instruction: which opcodes exist and which fields each must leave
 * zero. Used by the decoder for raw input and by the assembler as a last check.
 */
public final class InstructionRules {
    private InstructionRules() {
    }

    /** Returns why the instruction is not a valid encoding, or null when it is. */
    public static String check(Instruction insn) {
        int op = insn.opcode();
        if (insn.dst() > FRAME_POINTER) {
            return "invalid destination register r" + insn.dst();
        }
        if (insn.src() > FRAME_POINTER && !(op == LDDW || op == CALL)) {
            return "invalid source register r" + insn.src();
        }
        return switch (instructionClass(op)) {
            case CLASS_ALU, CLASS_ALU64 -> checkAlu(insn);
            case CLASS_JMP, CLASS_JMP32 -> checkJump(insn);
            case CLASS_LD -> checkLd(insn);
            case CLASS_LDX -> checkLdx(insn);
            case CLASS_ST -> checkSt(insn);
            case CLASS_STX -> checkStx(insn);
            default -> unknown(op);
        };
    }

    private static String unknown(int op) {
        return String.format("unknown opcode 0x%02x", op);
    }

    private static String checkAlu(Instruction insn) {
        int op = insn.opcode();
        boolean is64 = instructionClass(op) == CLASS_ALU64;
        boolean regSource = source(op) == SRC_X;
        int operation = operation(op);
        switch (operation) {
            case ALU_ADD, ALU_SUB, ALU_MUL, ALU_OR, ALU_AND, ALU_LSH, ALU_RSH, ALU_XOR, ALU_ARSH:
                if (insn.offset() != 0) {
                    return "offset field must be 0";
                }
                return checkOperand(insn, regSource);
            case ALU_DIV, ALU_MOD:
                if (insn.offset() != 0 && insn.offset() != 1) {
                    return "offset of div/mod must be 0 (unsigned) or 1 (signed)";
                }
                return checkOperand(insn, regSource);
            case ALU_MOV:
                if (regSource) {
                    int off = insn.offset();
                    boolean validSx = off == 0 || off == 8 || off == 16 || (is64 && off == 32);
                    if (!validSx) {
                        return "offset of mov must be 0, 8, 16" + (is64 ? " or 32" : "") + " (sign extension width)";
                    }
                } else if (insn.offset() != 0) {
                    return "offset field must be 0";
                }
                return checkOperand(insn, regSource);
            case ALU_NEG:
                if (regSource) {
                    return unknown(op);
                }
                if (insn.src() != 0) {
                    return "source register field must be 0";
                }
                if (insn.offset() != 0) {
                    return "offset field must be 0";
                }
                return insn.imm() != 0 ? "immediate field must be 0" : null;
            case ALU_END:
                if (is64 && regSource) {
                    return unknown(op);
                }
                if (insn.src() != 0) {
                    return "source register field must be 0";
                }
                if (insn.offset() != 0) {
                    return "offset field must be 0";
                }
                int width = insn.imm();
                return width == 16 || width == 32 || width == 64 ? null : "byte swap width must be 16, 32 or 64, not " + width;
            default:
                return unknown(op);
        }
    }

    private static String checkOperand(Instruction insn, boolean regSource) {
        if (regSource) {
            return insn.imm() != 0 ? "immediate field must be 0 when the source is a register" : null;
        }
        return insn.src() != 0 ? "source register field must be 0 when the source is an immediate" : null;
    }

    private static String checkJump(Instruction insn) {
        int op = insn.opcode();
        boolean is32 = instructionClass(op) == CLASS_JMP32;
        boolean regSource = source(op) == SRC_X;
        switch (operation(op)) {
            case JMP_JA:
                if (regSource) {
                    return unknown(op);
                }
                if (insn.dst() != 0) {
                    return "destination register field of ja must be 0";
                }
                if (insn.src() != 0) {
                    return "source register field of ja must be 0";
                }
                if (is32) {
                    return insn.offset() != 0 ? "offset field of ja32 must be 0 (the distance is in imm)" : null;
                }
                return insn.imm() != 0 ? "immediate field of ja must be 0" : null;
            case JMP_CALL:
                if (is32) {
                    return unknown(op);
                }
                if (insn.offset() != 0) {
                    return "offset field of call must be 0";
                }
                if (regSource) {
                    if (insn.src() != 0 || insn.imm() != 0) {
                        return "callx takes its target in the destination register; source and immediate must be 0";
                    }
                    return null;
                }
                if (insn.dst() != 0) {
                    return "destination register field of call must be 0";
                }
                if (insn.src() == CALL_KFUNC) {
                    return "kernel function calls are not supported";
                }
                return insn.src() == CALL_HELPER || insn.src() == CALL_LOCAL ? null : "invalid call source " + insn.src();
            case JMP_EXIT:
                if (is32 || regSource) {
                    return unknown(op);
                }
                if (insn.dst() != 0 || insn.src() != 0 || insn.offset() != 0 || insn.imm() != 0) {
                    return "every field of exit must be 0";
                }
                return null;
            case JMP_JEQ, JMP_JGT, JMP_JGE, JMP_JSET, JMP_JNE, JMP_JSGT, JMP_JSGE, JMP_JLT, JMP_JLE, JMP_JSLT, JMP_JSLE:
                return checkOperand(insn, regSource);
            default:
                return unknown(op);
        }
    }

    private static String checkLd(Instruction insn) {
        int op = insn.opcode();
        if (op == LDDW) {
            if (insn.offset() != 0) {
                return "offset field of lddw must be 0";
            }
            return switch (insn.src()) {
                case PSEUDO_NONE, PSEUDO_MAP_FD, PSEUDO_MAP_IDX, PSEUDO_MAP_VALUE, PSEUDO_MAP_IDX_VALUE, PSEUDO_FUNC -> null;
                case PSEUDO_BTF_ID -> "lddw of a BTF id (ksym) is not supported";
                default -> "invalid lddw source " + insn.src();
            };
        }
        int mode = mode(op);
        if ((mode == MODE_ABS || mode == MODE_IND) && size(op) != SIZE_DW) {
            if (insn.dst() != 0) {
                return "destination register field of a packet load must be 0 (the result goes to r0)";
            }
            if (insn.offset() != 0) {
                return "offset field of a packet load must be 0";
            }
            if (mode == MODE_ABS && insn.src() != 0) {
                return "source register field of ldabs must be 0";
            }
            return null;
        }
        return unknown(op);
    }

    private static String checkLdx(Instruction insn) {
        int op = insn.opcode();
        int mode = mode(op);
        if (mode == MODE_MEM || (mode == MODE_MEMSX && size(op) != SIZE_DW)) {
            return insn.imm() != 0 ? "immediate field of a load must be 0" : null;
        }
        return unknown(op);
    }

    private static String checkSt(Instruction insn) {
        int op = insn.opcode();
        if (mode(op) != MODE_MEM) {
            return unknown(op);
        }
        return insn.src() != 0 ? "source register field of st must be 0" : null;
    }

    private static String checkStx(Instruction insn) {
        int op = insn.opcode();
        int mode = mode(op);
        if (mode == MODE_MEM) {
            return insn.imm() != 0 ? "immediate field of stx must be 0" : null;
        }
        if (mode != MODE_ATOMIC) {
            return unknown(op);
        }
        if (size(op) != SIZE_W && size(op) != SIZE_DW) {
            return "atomic operations are 32 or 64 bits wide";
        }
        return switch (insn.imm()) {
            case ATOMIC_ADD, ATOMIC_OR, ATOMIC_AND, ATOMIC_XOR, ATOMIC_ADD | ATOMIC_FETCH, ATOMIC_OR | ATOMIC_FETCH,
                            ATOMIC_AND | ATOMIC_FETCH, ATOMIC_XOR | ATOMIC_FETCH, ATOMIC_XCHG, ATOMIC_CMPXCHG -> null;
            default -> String.format("unknown atomic operation 0x%x", insn.imm());
        };
    }
}
