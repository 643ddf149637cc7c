package org.trufflebpf.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One decoded eBPF instruction. {@code lddw} is one instruction that occupies two 8-byte slots; its second
 * slot's immediate is {@link #imm2()}. {@link #index()} is the slot index in the program as the kernel counts
 * it, so errors and jump offsets refer to the same numbers as {@code llvm-objdump}.
 *
 * @param index  slot index of the instruction in its program
 * @param opcode the opcode byte, 0..255
 * @param dst    destination register field, 0..15 as encoded
 * @param src    source register field, 0..15 as encoded
 * @param offset signed 16-bit offset
 * @param imm    signed 32-bit immediate
 * @param imm2   the second slot's immediate for {@code lddw}, otherwise 0
 */
public record Instruction(int index, int opcode, int dst, int src, int offset, int imm, int imm2) {

    public static final int SLOT_BYTES = 8;

    public Instruction {
        if (opcode < 0 || opcode > 0xff || dst < 0 || dst > 15 || src < 0 || src > 15 || offset < Short.MIN_VALUE
                        || offset > Short.MAX_VALUE) {
            throw new IllegalArgumentException("instruction field out of range");
        }
    }

    public static Instruction of(int opcode, int dst, int src, int offset, int imm) {
        return new Instruction(0, opcode, dst, src, offset, imm, 0);
    }

    public static Instruction lddw(int dst, int src, long imm64) {
        return new Instruction(0, Opcodes.LDDW, dst, src, 0, (int) imm64, (int) (imm64 >>> 32));
    }

    /** The same instruction at another slot index. */
    public Instruction at(int newIndex) {
        return new Instruction(newIndex, opcode, dst, src, offset, imm, imm2);
    }

    public Instruction withImm(int newImm) {
        return new Instruction(index, opcode, dst, src, offset, newImm, imm2);
    }

    public Instruction withImm64(int newSrc, long imm64) {
        return new Instruction(index, opcode, dst, newSrc, offset, (int) imm64, (int) (imm64 >>> 32));
    }

    public int instructionClass() {
        return Opcodes.instructionClass(opcode);
    }

    public int operation() {
        return Opcodes.operation(opcode);
    }

    public boolean isWide() {
        return opcode == Opcodes.LDDW;
    }

    /** Number of 8-byte slots: 2 for {@code lddw}, else 1. */
    public int slots() {
        return isWide() ? 2 : 1;
    }

    /** The 64-bit immediate of {@code lddw}: low half in imm, high half in imm2. */
    public long imm64() {
        return (imm & 0xffffffffL) | ((long) imm2 << 32);
    }

    public boolean isExit() {
        return opcode == Opcodes.EXIT;
    }

    public boolean isHelperCall() {
        return opcode == Opcodes.CALL && src == Opcodes.CALL_HELPER;
    }

    public boolean isLocalCall() {
        return opcode == Opcodes.CALL && src == Opcodes.CALL_LOCAL;
    }

    public boolean isCallx() {
        return opcode == Opcodes.CALLX;
    }

    /**
     * Whether the instruction writes r10, which programs may only read: an ALU operation, load or lddw into it,
     * or an atomic fetch operation (which writes the old value back into its source register; cmpxchg writes r0).
     */
    public boolean writesFramePointer() {
        int cls = instructionClass();
        if (cls == Opcodes.CLASS_ALU || cls == Opcodes.CLASS_ALU64 || cls == Opcodes.CLASS_LDX || isWide()) {
            return dst == Opcodes.FRAME_POINTER;
        }
        boolean fetch = cls == Opcodes.CLASS_STX && Opcodes.mode(opcode) == Opcodes.MODE_ATOMIC && (imm & Opcodes.ATOMIC_FETCH) != 0;
        return fetch && imm != Opcodes.ATOMIC_CMPXCHG && src == Opcodes.FRAME_POINTER;
    }

    /** Unconditional jump: {@code ja} (offset) or {@code ja32} (imm). */
    public boolean isUnconditionalJump() {
        return opcode == Opcodes.JA || opcode == Opcodes.JA32;
    }

    /** A jump that goes to a target inside the function: ja, ja32 and every conditional jump. */
    public boolean isBranch() {
        if (!Opcodes.isJump(opcode)) {
            return false;
        }
        int op = operation();
        return op != Opcodes.JMP_CALL && op != Opcodes.JMP_EXIT;
    }

    public boolean isConditionalBranch() {
        return isBranch() && operation() != Opcodes.JMP_JA;
    }

    /** Slot index a branch goes to when taken; for {@code ja32} the distance is in imm. */
    public int branchTarget() {
        int distance = opcode == Opcodes.JA32 ? imm : offset;
        return index + 1 + distance;
    }

    /** Slot index of the callee of a bpf-to-bpf call or of a {@code lddw} function address. */
    public int localCallTarget() {
        return index + 1 + imm;
    }

    /** Writes the instruction's slots, little-endian, at the buffer's position. */
    public void encode(ByteBuffer out) {
        ByteBuffer le = out.order(ByteOrder.LITTLE_ENDIAN);
        le.put((byte) opcode);
        le.put((byte) ((src << 4) | dst));
        le.putShort((short) offset);
        le.putInt(imm);
        if (isWide()) {
            le.put((byte) 0);
            le.put((byte) 0);
            le.putShort((short) 0);
            le.putInt(imm2);
        }
    }

    /** The instruction's first slot as the 64-bit word the conformance suite's {@code -- raw} section uses. */
    public long firstWord() {
        return (opcode & 0xffL) | ((long) (dst | (src << 4)) << 8) | ((offset & 0xffffL) << 16) | ((long) imm << 32);
    }

    @Override
    public String toString() {
        return String.format("insn %d {op=0x%02x dst=%d src=%d off=%d imm=%d%s}", index, opcode, dst, src, offset, imm,
                        isWide() ? " imm2=" + imm2 : "");
    }
}
