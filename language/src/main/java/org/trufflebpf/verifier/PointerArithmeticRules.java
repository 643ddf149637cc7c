package org.trufflebpf.verifier;

import static org.trufflebpf.model.Opcodes.*;

import org.trufflebpf.verifier.Value.MemoryPointer;
import org.trufflebpf.verifier.Value.Scalar;
import org.trufflebpf.verifier.Value.StackPointer;

/**
 * The kernel's rules for an ALU instruction with a pointer operand, as it applies them to a privileged loader
 * ({@code adjust_reg_min_max_vals}, {@code adjust_ptr_min_max_vals}, {@code check_reg_sane_offset}). Only a
 * 64-bit add or subtract of a bounded number moves a pointer; a pointer minus a pointer is a number; every
 * other operation on a pointer is refused at the instruction, with the kernel's reason. Without these rules
 * the result would merely become an unknown number (safe, since nothing can dereference it), but the kernel
 * refuses the program, and a program must load in the kernel whenever it verifies here.
 * <p>
 * Map references, {@code neg} and byte swaps are left to the caller: the kernel lets a privileged loader turn
 * a pointer into a number by {@code neg} or a swap, and ours refuses any use of a map reference.
 */
final class PointerArithmeticRules {
    /** {@code BPF_MAX_VAR_OFF}: the largest offset, in either direction, the kernel tracks on a pointer. */
    static final long MAX_VAR_OFF = 1L << 29;

    private PointerArithmeticRules() {
    }

    /**
     * Why the kernel refuses {@code dst OP= src}, or null if it allows it.
     *
     * @param opcode         the ALU instruction's opcode (not a mov, neg or byte swap)
     * @param dstRegister    the destination register's number, for the message
     * @param registerSource whether {@code src} is a register (else the immediate, as a constant scalar)
     * @param kernelType     whether the program has a kernel program type: raw-memory programs (ours only) walk
     *                       their input by any number, checked at run time, so for them only the NULL and
     *                       packet-end rules apply
     */
    static String violation(int opcode, int dstRegister, Value dst, Value src, boolean registerSource, boolean kernelType) {
        boolean dstPointer = Value.isPointer(dst);
        boolean srcPointer = registerSource && Value.isPointer(src);
        if (!dstPointer && !srcPointer) {
            return null;
        }
        int operation = operation(opcode);
        String r = "R" + dstRegister;
        String nullOrEnd = nullOrEnd(r, dst, src, registerSource);
        if (nullOrEnd != null || !kernelType || isUnknownKind(dst) || registerSource && isUnknownKind(src)) {
            // A pointer of unknown kind is ours alone (merged kinds, a callback's assumed arguments): the kernel
            // would know the kind, so its rules cannot be applied; accesses through the result stay checked.
            return nullOrEnd;
        }
        if (dstPointer && srcPointer) {
            // The distance between two pointers is a number, which a privileged loader may compute.
            return operation == ALU_SUB ? null : r + " pointer " + operator(operation) + " pointer prohibited";
        }
        Value pointer = dstPointer ? dst : src;
        Value offset = dstPointer ? src : dst;
        if (instructionClass(opcode) != CLASS_ALU64) {
            return operation == ALU_SUB ? null : r + " 32-bit pointer arithmetic prohibited";
        }
        String kind = kernelName(pointer);
        if (offset instanceof Scalar s) {
            String insane = insaneOffset(s, kind);
            if (insane != null) {
                return insane;
            }
        }
        return switch (operation) {
            case ALU_ADD -> null;
            case ALU_SUB -> !dstPointer ? r + " tried to subtract pointer from scalar"
                            : pointer instanceof StackPointer ? r + " subtraction from stack pointer prohibited" : null;
            case ALU_AND, ALU_OR, ALU_XOR -> r + " bitwise operator " + operator(operation) + " on pointer prohibited";
            default -> r + " pointer arithmetic with " + operator(operation) + " operator prohibited";
        };
    }

    /**
     * A maybe-NULL helper result may not move before its NULL check (the check would then test the moved value),
     * and the packet's end may not move at all (a moved end would prove a wrong range).
     */
    private static String nullOrEnd(String r, Value dst, Value src, boolean registerSource) {
        Value[] operands = registerSource ? new Value[] {dst, src} : new Value[] {dst};
        for (Value v : operands) {
            if (v instanceof MemoryPointer p && p.maybeNull() && p.kind().nullChecked()) {
                return r + " pointer arithmetic on " + p.kind().kernelName + "_or_null prohibited, null-check it first";
            }
        }
        // pkt_end - pkt is a distance, which the kernel allows.
        boolean distance = registerSource && Value.isPointer(dst) && Value.isPointer(src);
        for (Value v : operands) {
            if (v instanceof MemoryPointer p && p.kind() == PointerKind.PACKET_END && !distance) {
                return r + " pointer arithmetic on pkt_end prohibited";
            }
        }
        return null;
    }

    private static boolean isUnknownKind(Value v) {
        return v instanceof MemoryPointer p && p.kind() == PointerKind.ANY;
    }

    /** The kernel's {@code check_reg_sane_offset} for the number a pointer is moved by. */
    private static String insaneOffset(Scalar s, String kind) {
        if (s.isConstant() && (s.min() >= MAX_VAR_OFF || s.min() <= -MAX_VAR_OFF)) {
            return "math between " + kind + " pointer and " + s.min() + " is not allowed";
        }
        if (s.min() == Long.MIN_VALUE) {
            return "math between " + kind + " pointer and register with unbounded min value is not allowed";
        }
        if (s.min() >= MAX_VAR_OFF || s.min() <= -MAX_VAR_OFF) {
            return "value " + s.min() + " makes " + kind + " pointer be out of bounds";
        }
        return null;
    }

    private static String kernelName(Value pointer) {
        return pointer instanceof MemoryPointer p ? p.kind().kernelName : "fp";
    }

    /** The kernel's spelling of an ALU operation in these messages ({@code bpf_alu_string}). */
    private static String operator(int operation) {
        return switch (operation) {
            case ALU_ADD -> "+=";
            case ALU_SUB -> "-=";
            case ALU_MUL -> "*=";
            case ALU_DIV -> "/=";
            case ALU_OR -> "|=";
            case ALU_AND -> "&=";
            case ALU_LSH -> "<<=";
            case ALU_RSH -> ">>=";
            case ALU_MOD -> "%=";
            case ALU_XOR -> "^=";
            case ALU_ARSH -> "s>>=";
            default -> "?";
        };
    }
}
