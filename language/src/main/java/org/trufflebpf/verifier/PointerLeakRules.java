package org.trufflebpf.verifier;

import static org.trufflebpf.model.Opcodes.*;

import org.trufflebpf.model.Instruction;
import org.trufflebpf.verifier.Value.MemoryPointer;

/**
 * The kernel's rules for an unprivileged loader ({@code allow_ptr_leaks} false): no pointer may become a number
 * the program keeps or shows, since that number is a kernel address. So a pointer may not be stored anywhere but
 * the program's own stack, returned, passed to a helper as a number, compared (except a NULL check and a packet
 * bounds check), turned into a number by an ALU operation, or subtracted from another. Each method returns the
 * kernel's reason, or null when the instruction is allowed. A privileged loader ({@link VerifierOptions#privileged})
 * may do all of these; for our engines no address is secret either way, so these rules serve programs meant for
 * unprivileged loading.
 */
final class PointerLeakRules {
    private PointerLeakRules() {
    }

    /** A store of {@code stored} (from register {@code src}) through {@code base}; {@code atomic}: an atomic operation. */
    static String store(Value base, Value stored, int src, boolean atomic) {
        if (!Value.isPointer(stored)) {
            return null;
        }
        if (atomic) {
            return "R" + src + " leaks addr into mem";
        }
        if (!(base instanceof MemoryPointer m)) {
            return null;
        }
        String place = switch (m.kind()) {
            case MAP_VALUE -> "map";
            case CONTEXT, MOVED_CONTEXT, INPUT -> "ctx";
            case PACKET, PACKET_META -> "packet";
            default -> "mem";
        };
        return "R" + src + " leaks addr into " + place;
    }

    /** The entry function's (or a callback's) {@code exit} with {@code r0}. */
    static String exit(Value r0) {
        return Value.isPointer(r0) ? "R0 leaks addr as return value" : null;
    }

    /** A pointer given to a helper argument it reads as a number ({@code ARG_ANYTHING}). */
    static String helperNumber(int register, Value argument) {
        return Value.isPointer(argument) ? "R" + register + " leaks addr into helper function" : null;
    }

    /** An ALU instruction; pointer moves by a number are the {@link PointerArithmeticRules}' business. */
    static String alu(Instruction insn, Value dst, Value src, boolean registerSource) {
        int op = insn.opcode();
        int operation = operation(op);
        boolean is64 = instructionClass(op) == CLASS_ALU64;
        String r = "R" + insn.dst();
        if (operation == ALU_MOV) {
            if (!registerSource || !Value.isPointer(src) || (is64 && insn.offset() == 0)) {
                return null;
            }
            return insn.offset() != 0 ? "R" + insn.src() + " sign-extension part of pointer" : "R" + insn.src() + " partial copy of pointer";
        }
        if (operation == ALU_NEG || operation == ALU_END) {
            return Value.isPointer(dst) ? r + " pointer arithmetic prohibited" : null;
        }
        if (Value.isPointer(dst) && registerSource && Value.isPointer(src)) {
            return r + " pointer -= pointer prohibited";
        }
        if (!is64 && operation == ALU_SUB && (Value.isPointer(dst) || registerSource && Value.isPointer(src))) {
            return r + " 32-bit pointer arithmetic prohibited";
        }
        return null;
    }

    /**
     * A conditional jump: only a 64-bit {@code jeq/jne r, 0} on a map value or record, and a comparison of two
     * packet pointers (a bounds check: {@code >}, {@code >=}, {@code <}, {@code <=}), may look at a pointer.
     */
    static String comparison(Instruction insn, Value dst, Value src, boolean registerSource) {
        int op = insn.opcode();
        int operation = operation(op);
        boolean is64 = instructionClass(op) == CLASS_JMP;
        if (registerSource && Value.isPointer(src) && !(isPacket(dst) && isPacket(src))) {
            return "R" + insn.src() + " pointer comparison prohibited";
        }
        if (!Value.isPointer(dst)) {
            return null;
        }
        // A map value or record may be NULL, or known not to be: either way the kernel lets the test with 0 pass.
        boolean nullCheck = is64 && !registerSource && insn.imm() == 0 && (operation == JMP_JEQ || operation == JMP_JNE)
                        && dst instanceof MemoryPointer m && m.kind().nullChecked();
        boolean boundsCheck = is64 && registerSource && isPacket(dst) && isPacket(src)
                        && (operation == JMP_JGT || operation == JMP_JGE || operation == JMP_JLT || operation == JMP_JLE);
        return nullCheck || boundsCheck ? null : "R" + insn.dst() + " pointer comparison prohibited";
    }

    private static boolean isPacket(Value v) {
        return v instanceof MemoryPointer m && (m.kind().isPacket() || m.kind() == PointerKind.PACKET_END);
    }
}
