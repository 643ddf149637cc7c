package org.trufflebpf.model;

import static org.trufflebpf.model.Opcodes.*;

import java.util.function.IntFunction;

/**
 * An instruction as text, in the conformance suite's assembly syntax, so that the assembler reads back the same
 * bytes; errors, listings and disassembly all show instructions this way. Jump and call targets are printed
 * pc-relative ({@code +3}, {@code -2}); maps referenced by {@code lddw} are printed by name when a name is known,
 * else by index ({@code map:0}).
 */
public final class InstructionText {
    private InstructionText() {
    }

    /** Formats one instruction; maps print by index. Never fails: an invalid encoding prints as raw words. */
    public static String format(Instruction insn) {
        return format(insn, null);
    }

    /**
     * Formats one instruction.
     *
     * @param mapNames gives the name of map {@code i}, or null for none; may itself be null
     */
    public static String format(Instruction insn, IntFunction<String> mapNames) {
        String text = formatOrNull(insn, mapNames);
        return text != null ? text : String.format(".insn 0x%016x", insn.firstWord());
    }

    private static String formatOrNull(Instruction insn, IntFunction<String> mapNames) {
        int op = insn.opcode();
        return switch (instructionClass(op)) {
            case CLASS_ALU, CLASS_ALU64 -> formatAlu(insn);
            case CLASS_JMP, CLASS_JMP32 -> formatJump(insn);
            case CLASS_LD -> formatLd(insn, mapNames);
            case CLASS_LDX -> formatLdx(insn);
            case CLASS_ST -> mode(op) == MODE_MEM ? "st" + sizeSuffix(op) + " " + memory(insn.dst(), insn.offset()) + ", " + insn.imm() : null;
            case CLASS_STX -> formatStx(insn);
            default -> null;
        };
    }

    static String reg(int r) {
        return "%r" + r;
    }

    static String memory(int base, int offset) {
        if (offset == 0) {
            return "[" + reg(base) + "]";
        }
        return "[" + reg(base) + (offset > 0 ? "+" : "") + offset + "]";
    }

    static String relative(int distance) {
        return (distance >= 0 ? "+" : "") + distance;
    }

    private static String sizeSuffix(int op) {
        return switch (size(op)) {
            case SIZE_B -> "b";
            case SIZE_H -> "h";
            case SIZE_W -> "w";
            default -> "dw";
        };
    }

    private static String formatAlu(Instruction insn) {
        int op = insn.opcode();
        boolean is64 = instructionClass(op) == CLASS_ALU64;
        String suffix = is64 ? "" : "32";
        String operand = source(op) == SRC_X ? reg(insn.src()) : Integer.toString(insn.imm());
        String dst = reg(insn.dst());
        String name = switch (operation(op)) {
            case ALU_ADD -> "add";
            case ALU_SUB -> "sub";
            case ALU_MUL -> "mul";
            case ALU_DIV -> insn.offset() == 1 ? "sdiv" : "div";
            case ALU_MOD -> insn.offset() == 1 ? "smod" : "mod";
            case ALU_OR -> "or";
            case ALU_AND -> "and";
            case ALU_LSH -> "lsh";
            case ALU_RSH -> "rsh";
            case ALU_XOR -> "xor";
            case ALU_ARSH -> "arsh";
            case ALU_MOV -> {
                if (insn.offset() == 0 || source(op) != SRC_X) {
                    yield "mov";
                }
                boolean validWidth = insn.offset() == 8 || insn.offset() == 16 || (is64 && insn.offset() == 32);
                yield validWidth ? "movsx" + insn.offset() + (is64 ? "64" : "32") : null;
            }
            case ALU_NEG -> "neg";
            case ALU_END -> null;
            default -> null;
        };
        if (operation(op) == ALU_END) {
            String kind = is64 ? "bswap" : (source(op) == SRC_X ? "be" : "le");
            return kind + insn.imm() + " " + dst;
        }
        if (name == null) {
            return null;
        }
        if (operation(op) == ALU_NEG) {
            return name + suffix + " " + dst;
        }
        if (name.startsWith("movsx")) {
            return name + " " + dst + ", " + operand;
        }
        return name + suffix + " " + dst + ", " + operand;
    }

    private static String formatJump(Instruction insn) {
        int op = insn.opcode();
        boolean is32 = instructionClass(op) == CLASS_JMP32;
        switch (operation(op)) {
            case JMP_JA:
                return is32 ? "ja32 " + relative(insn.imm()) : "ja " + relative(insn.offset());
            case JMP_EXIT:
                return is32 ? null : "exit";
            case JMP_CALL:
                if (is32) {
                    return null;
                }
                if (source(op) == SRC_X) {
                    return "call " + reg(insn.dst());
                }
                return switch (insn.src()) {
                    case CALL_LOCAL -> "call local " + relative(insn.imm());
                    case CALL_KFUNC -> "call kfunc " + insn.imm();
                    default -> "call " + insn.imm();
                };
            default:
                break;
        }
        String name = switch (operation(op)) {
            case JMP_JEQ -> "jeq";
            case JMP_JGT -> "jgt";
            case JMP_JGE -> "jge";
            case JMP_JSET -> "jset";
            case JMP_JNE -> "jne";
            case JMP_JSGT -> "jsgt";
            case JMP_JSGE -> "jsge";
            case JMP_JLT -> "jlt";
            case JMP_JLE -> "jle";
            case JMP_JSLT -> "jslt";
            case JMP_JSLE -> "jsle";
            default -> null;
        };
        if (name == null) {
            return null;
        }
        String operand = source(op) == SRC_X ? reg(insn.src()) : Integer.toString(insn.imm());
        return name + (is32 ? "32" : "") + " " + reg(insn.dst()) + ", " + operand + ", " + relative(insn.offset());
    }

    private static String formatLd(Instruction insn, IntFunction<String> mapNames) {
        int op = insn.opcode();
        if (op == LDDW) {
            String dst = reg(insn.dst());
            return switch (insn.src()) {
                case PSEUDO_NONE -> "lddw " + dst + ", " + String.format("0x%x", insn.imm64());
                case PSEUDO_MAP_FD -> "lddw " + dst + ", map:" + mapName(insn.imm(), mapNames);
                case PSEUDO_MAP_IDX -> "lddw " + dst + ", map_idx:" + mapName(insn.imm(), mapNames);
                case PSEUDO_MAP_VALUE, PSEUDO_MAP_IDX_VALUE -> "lddw " + dst + (insn.src() == PSEUDO_MAP_VALUE ? ", map_value:" : ", map_idx_value:")
                                + mapName(insn.imm(), mapNames) + (insn.imm2() != 0 ? (insn.imm2() > 0 ? "+" : "") + insn.imm2() : "");
                case PSEUDO_FUNC -> "lddw " + dst + ", func:" + relative(insn.imm());
                default -> null;
            };
        }
        if (size(op) == SIZE_DW) {
            return null;
        }
        if (mode(op) == MODE_ABS) {
            return "ldabs" + sizeSuffix(op) + " " + insn.imm();
        }
        if (mode(op) == MODE_IND) {
            return "ldind" + sizeSuffix(op) + " " + reg(insn.src()) + ", " + insn.imm();
        }
        return null;
    }

    private static String mapName(int index, IntFunction<String> mapNames) {
        String name = mapNames != null ? mapNames.apply(index) : null;
        return name != null ? name : Integer.toString(index);
    }

    private static String formatLdx(Instruction insn) {
        int op = insn.opcode();
        String base = memory(insn.src(), insn.offset());
        if (mode(op) == MODE_MEM) {
            return "ldx" + sizeSuffix(op) + " " + reg(insn.dst()) + ", " + base;
        }
        if (mode(op) == MODE_MEMSX && size(op) != SIZE_DW) {
            return "ldxs" + sizeSuffix(op) + " " + reg(insn.dst()) + ", " + base;
        }
        return null;
    }

    private static String formatStx(Instruction insn) {
        int op = insn.opcode();
        String target = memory(insn.dst(), insn.offset());
        if (mode(op) == MODE_MEM) {
            return "stx" + sizeSuffix(op) + " " + target + ", " + reg(insn.src());
        }
        if (mode(op) != MODE_ATOMIC || (size(op) != SIZE_W && size(op) != SIZE_DW)) {
            return null;
        }
        String width = size(op) == SIZE_W ? "32" : "";
        String name = switch (insn.imm()) {
            case ATOMIC_ADD -> "add";
            case ATOMIC_OR -> "or";
            case ATOMIC_AND -> "and";
            case ATOMIC_XOR -> "xor";
            case ATOMIC_ADD | ATOMIC_FETCH -> "fetch add";
            case ATOMIC_OR | ATOMIC_FETCH -> "fetch or";
            case ATOMIC_AND | ATOMIC_FETCH -> "fetch and";
            case ATOMIC_XOR | ATOMIC_FETCH -> "fetch xor";
            case ATOMIC_XCHG -> "xchg";
            case ATOMIC_CMPXCHG -> "cmpxchg";
            default -> null;
        };
        return name == null ? null : "lock " + name + width + " " + target + ", " + reg(insn.src());
    }
}
