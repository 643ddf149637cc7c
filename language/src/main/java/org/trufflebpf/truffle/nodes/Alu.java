package org.trufflebpf.truffle.nodes;

import static org.trufflebpf.model.Opcodes.*;

import com.oracle.truffle.api.CompilerDirectives;

/**
 * The arithmetic and comparisons of eBPF with the kernel's semantics: division by zero gives 0 and modulo by
 * zero leaves the dividend (also signed); shift counts are masked (& 63, & 32-bit & 31); 32-bit results are
 * zero-extended. The opcode is a compile-time constant at every call, so each call folds to one operation.
 */
final class Alu {
    private Alu() {
    }

    static long alu64(int opcode, long a, long b, int offset, int imm) {
        switch (operation(opcode)) {
            case ALU_ADD:
                return a + b;
            case ALU_SUB:
                return a - b;
            case ALU_MUL:
                return a * b;
            case ALU_DIV:
                if (b == 0) {
                    return 0;
                }
                return offset == 1 ? a / b : Long.divideUnsigned(a, b);
            case ALU_MOD:
                if (b == 0) {
                    return a;
                }
                return offset == 1 ? a % b : Long.remainderUnsigned(a, b);
            case ALU_OR:
                return a | b;
            case ALU_AND:
                return a & b;
            case ALU_XOR:
                return a ^ b;
            case ALU_LSH:
                return a << (b & 63);
            case ALU_RSH:
                return a >>> (b & 63);
            case ALU_ARSH:
                return a >> (b & 63);
            case ALU_NEG:
                return -a;
            case ALU_MOV:
                return switch (offset) {
                    case 8 -> (byte) b;
                    case 16 -> (short) b;
                    case 32 -> (int) b;
                    default -> b;
                };
            case ALU_END:
                // ALU64 class: unconditional byte swap (bswap16/32/64).
                return byteSwap(a, imm);
            default:
                throw CompilerDirectives.shouldNotReachHere();
        }
    }

    static long alu32(int opcode, long a64, long b64, int offset, int imm) {
        int a = (int) a64;
        int b = (int) b64;
        int result;
        switch (operation(opcode)) {
            case ALU_ADD:
                result = a + b;
                break;
            case ALU_SUB:
                result = a - b;
                break;
            case ALU_MUL:
                result = a * b;
                break;
            case ALU_DIV:
                result = b == 0 ? 0 : offset == 1 ? a / b : Integer.divideUnsigned(a, b);
                break;
            case ALU_MOD:
                result = b == 0 ? a : offset == 1 ? a % b : Integer.remainderUnsigned(a, b);
                break;
            case ALU_OR:
                result = a | b;
                break;
            case ALU_AND:
                result = a & b;
                break;
            case ALU_XOR:
                result = a ^ b;
                break;
            case ALU_LSH:
                result = a << (b & 31);
                break;
            case ALU_RSH:
                result = a >>> (b & 31);
                break;
            case ALU_ARSH:
                result = a >> (b & 31);
                break;
            case ALU_NEG:
                result = -a;
                break;
            case ALU_MOV:
                result = switch (offset) {
                    case 8 -> (byte) b;
                    case 16 -> (short) b;
                    default -> b;
                };
                break;
            case ALU_END:
                // ALU class: to little-endian (a truncation on this little-endian machine) or to big-endian.
                return source(opcode) == SRC_X ? byteSwap(a64, imm) : truncate(a64, imm);
            default:
                throw CompilerDirectives.shouldNotReachHere();
        }
        return result & 0xffffffffL;
    }

    private static long truncate(long value, int width) {
        return switch (width) {
            case 16 -> value & 0xffffL;
            case 32 -> value & 0xffffffffL;
            default -> value;
        };
    }

    private static long byteSwap(long value, int width) {
        return switch (width) {
            case 16 -> Short.reverseBytes((short) value) & 0xffffL;
            case 32 -> Integer.reverseBytes((int) value) & 0xffffffffL;
            default -> Long.reverseBytes(value);
        };
    }

    static boolean compare64(int opcode, long a, long b) {
        switch (operation(opcode)) {
            case JMP_JEQ:
                return a == b;
            case JMP_JNE:
                return a != b;
            case JMP_JGT:
                return Long.compareUnsigned(a, b) > 0;
            case JMP_JGE:
                return Long.compareUnsigned(a, b) >= 0;
            case JMP_JLT:
                return Long.compareUnsigned(a, b) < 0;
            case JMP_JLE:
                return Long.compareUnsigned(a, b) <= 0;
            case JMP_JSET:
                return (a & b) != 0;
            case JMP_JSGT:
                return a > b;
            case JMP_JSGE:
                return a >= b;
            case JMP_JSLT:
                return a < b;
            case JMP_JSLE:
                return a <= b;
            default:
                throw CompilerDirectives.shouldNotReachHere();
        }
    }

    /**
     * The 32-bit conditions as their 64-bit forms: sign-extended operands order as the signed 32-bit values do,
     * zero-extended ones as the unsigned; equality and JSET see the same low 32 bits either way.
     */
    static boolean compare32(int opcode, int a, int b) {
        return switch (operation(opcode)) {
            case JMP_JSGT, JMP_JSGE, JMP_JSLT, JMP_JSLE -> compare64(opcode, a, b);
            default -> compare64(opcode, Integer.toUnsignedLong(a), Integer.toUnsignedLong(b));
        };
    }
}
