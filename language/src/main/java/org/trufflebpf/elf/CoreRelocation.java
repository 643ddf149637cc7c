package org.trufflebpf.elf;

import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Opcodes;

/**
 * One CO-RE relocation of {@code .BTF.ext}, resolved as libbpf resolves it against target BTF, the target being
 * the context types we model ({@link CoreTargets}): the value the program was compiled with (from its own BTF)
 * and the value the target gives, for the kinds field_byte_offset, field_byte_size, field_exists, type_exists and
 * type_size on {@code struct __sk_buff} and {@code struct xdp_md} (a member, or an element of an array member).
 * Anything else has a {@code refusal}: the reason the program cannot be relocated, for its load error.
 */
record CoreRelocation(long insnOffset, String text, long localValue, long targetValue, String refusal) {
    private static final int FIELD_BYTE_OFFSET = 0;
    private static final int FIELD_BYTE_SIZE = 1;
    private static final int FIELD_EXISTS = 2;
    private static final int TYPE_EXISTS = 8;
    private static final int TYPE_SIZE = 9;

    private static CoreRelocation refused(long insnOffset, String text, String why) {
        return new CoreRelocation(insnOffset, text, 0, 0, "CO-RE relocation " + text + " is not applied: " + why);
    }

    /** Resolves relocation {@code kind} of local type {@code type} with access string {@code access}. */
    static CoreRelocation resolve(BtfTypes btf, long insnOffset, int type, String access, int kind, String text) {
        if (type <= 0 || type > btf.count()) {
            return refused(insnOffset, text, "its type id is not in the object's BTF");
        }
        int root = btf.skipModifiers(type);
        BtfTypes.Kind rootKind = btf.kind(root);
        CoreTargets.Type target = rootKind == BtfTypes.Kind.STRUCT ? CoreTargets.of(btf.name(root)) : null;
        if (target == null) {
            return refused(insnOffset, text, "TruffleBPF relocates only against the context types it models (struct __sk_buff, struct xdp_md), "
                            + "not against kernel BTF");
        }
        String[] spec = access.split(":");
        if (kind == TYPE_EXISTS || kind == TYPE_SIZE) {
            long local = kind == TYPE_EXISTS ? 1 : btf.sizeOf(root);
            return new CoreRelocation(insnOffset, text, local, kind == TYPE_EXISTS ? 1 : target.size(), null);
        }
        if (kind != FIELD_BYTE_OFFSET && kind != FIELD_BYTE_SIZE && kind != FIELD_EXISTS) {
            return refused(insnOffset, text, "this kind of relocation is not supported (field_byte_offset, field_byte_size, field_exists, "
                            + "type_exists and type_size are)");
        }
        int[] indexes;
        try {
            indexes = new int[spec.length];
            for (int i = 0; i < spec.length; i++) {
                indexes[i] = Integer.parseInt(spec[i]);
            }
        } catch (NumberFormatException e) {
            return refused(insnOffset, text, "its access string is malformed");
        }
        if (indexes.length < 2 || indexes.length > 3 || indexes[0] != 0) {
            return refused(insnOffset, text, "only a member of the context struct, or an element of an array member, is relocated");
        }
        var members = btf.members(root);
        if (indexes[1] < 0 || indexes[1] >= members.size()) {
            return refused(insnOffset, text, "its member index is out of range");
        }
        BtfTypes.Member member = members.get(indexes[1]);
        if (member.bitSize() != 0 || member.bitOffset() % 8 != 0) {
            return refused(insnOffset, text, "bitfields are not relocated");
        }
        long localOffset = member.bitOffset() / 8;
        long localSize = btf.sizeOf(member.type());
        CoreTargets.Field field = target.field(member.name());
        if (indexes.length == 3) {
            int memberType = btf.skipModifiers(member.type());
            if (btf.kind(memberType) != BtfTypes.Kind.ARRAY || field != null && field.elementSize() == 0) {
                return refused(insnOffset, text, "only an element of an array member is relocated below a member");
            }
            BtfTypes.ArrayInfo array = btf.array(memberType);
            long elementSize = btf.sizeOf(array.elementType());
            if (indexes[2] < 0 || indexes[2] >= array.elements()) {
                return refused(insnOffset, text, "its array index is out of range");
            }
            localOffset += indexes[2] * elementSize;
            localSize = elementSize;
        }
        if (kind == FIELD_EXISTS) {
            boolean exists = field != null && (indexes.length == 2 || indexes[2] * (long) field.elementSize() < field.size());
            return new CoreRelocation(insnOffset, text, 1, exists ? 1 : 0, null);
        }
        if (field == null) {
            return refused(insnOffset, text, "struct " + target.name() + " has no field '" + member.name() + "'");
        }
        long targetOffset = field.offset();
        long targetSize = field.size();
        if (indexes.length == 3) {
            targetOffset += indexes[2] * (long) field.elementSize();
            targetSize = field.elementSize();
            if (indexes[2] * (long) field.elementSize() >= field.size()) {
                return refused(insnOffset, text, "struct " + target.name() + "'s " + member.name() + " has no element " + indexes[2]);
            }
        }
        if (targetSize != localSize) {
            return refused(insnOffset, text, "the program's " + member.name() + " has " + localSize + " bytes, struct " + target.name() + "'s " + targetSize);
        }
        return kind == FIELD_BYTE_OFFSET ? new CoreRelocation(insnOffset, text, localOffset, targetOffset, null)
                        : new CoreRelocation(insnOffset, text, localSize, targetSize, null);
    }

    /**
     * The instruction with the target's value in place of the local one, as libbpf patches it: the immediate of
     * an ALU instruction or a 64-bit load, the offset of a memory access; null (with {@link #patchProblem})
     * when the instruction does not hold the local value where this kind of instruction would.
     */
    Instruction patch(Instruction insn) {
        int cls = insn.opcode() & 0x07;
        boolean immediateAlu = (cls == Opcodes.CLASS_ALU || cls == Opcodes.CLASS_ALU64) && (insn.opcode() & 0x08) == 0;
        if (immediateAlu || insn.opcode() == Opcodes.LDDW) {
            long current = insn.opcode() == Opcodes.LDDW ? (insn.imm() & 0xffffffffL) | ((long) insn.imm2() << 32) : insn.imm();
            if (current != localValue) {
                return null;
            }
            return insn.opcode() == Opcodes.LDDW ? insn.withImm64(insn.src(), targetValue) : insn.withImm((int) targetValue);
        }
        if (cls == Opcodes.CLASS_LDX || cls == Opcodes.CLASS_ST || cls == Opcodes.CLASS_STX) {
            if (insn.offset() != localValue || targetValue > Short.MAX_VALUE) {
                return null;
            }
            return new Instruction(insn.index(), insn.opcode(), insn.dst(), insn.src(), (int) targetValue, insn.imm(), insn.imm2());
        }
        return null;
    }

    String patchProblem() {
        return "CO-RE relocation " + text + " is not applied: the instruction does not hold the compiled value " + localValue
                        + " where libbpf would patch it";
    }
}
