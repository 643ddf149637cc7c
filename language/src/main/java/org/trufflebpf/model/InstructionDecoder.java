package org.trufflebpf.model;

import static org.trufflebpf.model.Opcodes.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes raw eBPF bytecode into {@link Instruction}s and rejects every encoding RFC 9669 does not define: an
 * unknown opcode, a reserved field that is not zero, a register above r10, a truncated {@code lddw}, or a
 * byte length that is not a multiple of 8.
 */
public final class InstructionDecoder {
    private InstructionDecoder() {
    }

    public static List<Instruction> decode(byte[] code, String file) {
        return decode(ByteBuffer.wrap(code), file);
    }

    public static List<Instruction> decode(ByteBuffer code, String file) {
        ByteBuffer in = code.slice().order(ByteOrder.LITTLE_ENDIAN);
        int length = in.remaining();
        if (length % Instruction.SLOT_BYTES != 0) {
            throw new BpfError(BpfError.Kind.DECODE, file,
                            "program is " + length + " bytes, not a whole number of 8-byte instructions");
        }
        int slots = length / Instruction.SLOT_BYTES;
        if (slots > MAX_INSNS) {
            throw new BpfError(BpfError.Kind.DECODE, file, "program has " + slots + " instructions, more than the limit of " + MAX_INSNS);
        }
        List<Instruction> result = new ArrayList<>(slots);
        int index = 0;
        while (index < slots) {
            int base = index * Instruction.SLOT_BYTES;
            int opcode = in.get(base) & 0xff;
            int regs = in.get(base + 1) & 0xff;
            int offset = in.getShort(base + 2);
            int imm = in.getInt(base + 4);
            int imm2 = 0;
            if (opcode == LDDW) {
                if (index + 1 >= slots) {
                    Instruction partial = new Instruction(index, opcode, regs & 0x0f, regs >>> 4, offset, imm, 0);
                    throw BpfError.at(BpfError.Kind.DECODE, file, null, partial, "lddw is truncated: its second slot is missing");
                }
                int second = base + Instruction.SLOT_BYTES;
                if (in.get(second) != 0 || in.get(second + 1) != 0 || in.getShort(second + 2) != 0) {
                    Instruction partial = new Instruction(index, opcode, regs & 0x0f, regs >>> 4, offset, imm, in.getInt(second + 4));
                    throw BpfError.at(BpfError.Kind.DECODE, file, null, partial,
                                    "the second slot of lddw must have opcode, registers and offset 0");
                }
                imm2 = in.getInt(second + 4);
            }
            Instruction insn = new Instruction(index, opcode, regs & 0x0f, regs >>> 4, offset, imm, imm2);
            String problem = InstructionRules.check(insn);
            if (problem != null) {
                throw BpfError.at(BpfError.Kind.DECODE, file, null, insn, problem);
            }
            result.add(insn);
            index += insn.slots();
        }
        return result;
    }

    /** Encodes instructions back into bytes; the inverse of {@link #decode}. */
    public static byte[] encode(List<Instruction> program) {
        int slots = 0;
        for (Instruction insn : program) {
            slots += insn.slots();
        }
        ByteBuffer out = ByteBuffer.allocate(slots * Instruction.SLOT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (Instruction insn : program) {
            insn.encode(out);
        }
        return out.array();
    }
}
