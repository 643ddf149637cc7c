package org.trufflebpf.verifier;

import static org.trufflebpf.model.Opcodes.MAX_STACK;
import static org.trufflebpf.model.Opcodes.REGISTER_COUNT;

import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.InstructionText;
import org.trufflebpf.model.Program;
import org.trufflebpf.verifier.Value.MapPointer;
import org.trufflebpf.verifier.Value.MemoryPointer;
import org.trufflebpf.verifier.Value.Scalar;
import org.trufflebpf.verifier.Value.StackPointer;

/**
 * The verifier's log of one path, in the kernel's style ({@code 5: (bf) r2 = r10 ; R2=fp0 R10=fp0}): each
 * instruction with its index, opcode and text, then the registers (and spilled stack slots) it leaves, written
 * as the kernel writes register types ({@code ctx()}, {@code pkt(off=8,r=8)}, {@code map_value_or_null(...)},
 * {@code scalar(smin=0,smax=255,var_off=(0x0; 0xff))}, {@code fp-8}). Unwritten registers are left out.
 */
final class StateLog {
    private final Program program;
    private final StringBuilder text = new StringBuilder();

    StateLog(Program program) {
        this.program = program;
    }

    /** The state a function starts from. */
    void entry(String function, int index, AbstractState state) {
        text.append("func '").append(function).append("'\n").append(index).append(": ").append(registers(state)).append('\n');
    }

    /** An instruction and the state it left. */
    void step(Instruction insn, AbstractState after) {
        line(insn).append(" ; ").append(registers(after)).append('\n');
    }

    /** The instruction the verifier refused, and why. */
    void refused(Instruction insn, String reason) {
        line(insn).append('\n').append(reason).append('\n');
    }

    /** A reason that names no instruction of the path. */
    void note(String reason) {
        text.append(reason).append('\n');
    }

    private StringBuilder line(Instruction insn) {
        return text.append(insn.index()).append(": (").append(String.format("%02x", insn.opcode())).append(") ")
                        .append(InstructionText.format(insn, program::mapName));
    }

    @Override
    public String toString() {
        return text.toString();
    }

    String registers(AbstractState state) {
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < REGISTER_COUNT; r++) {
            Value v = state.get(r);
            if (v.readable()) {
                sb.append(sb.isEmpty() ? "" : " ").append('R').append(r).append('=').append(describe(v));
            }
        }
        for (int offset = -8; offset >= -MAX_STACK; offset -= 8) {
            Value spilled = state.spilled(offset);
            if (spilled != null) {
                sb.append(" fp").append(offset).append('=').append(describe(spilled));
            }
        }
        return sb.toString();
    }

    String describe(Value v) {
        return switch (v) {
            case Scalar s when s.isConstant() -> Long.toString(s.min());
            case Scalar s -> "scalar(" + withBits(scalarBounds(s), s.bits()) + ")";
            case StackPointer p when p.ownFrame() && p.minOffset() == p.maxOffset() -> "fp" + p.minOffset();
            case StackPointer p -> (p.ownFrame() ? "fp" : "fp_of_caller(arg" + p.base() + ")") + "(" + withBits(bounds("smin", p.minOffset(), "smax", p.maxOffset()), p.bits()) + ")";
            case MapPointer m when m.maybeNull() -> "map_value_or_null(" + (m.mapIndex() < 0 ? "" : "map=" + program.mapName(m.mapIndex()) + ",") + "inner map)";
            case MapPointer m when m.inner() -> "map_ptr(inner map of " + program.mapName(m.mapIndex()) + ")";
            case MapPointer m -> m.mapIndex() < 0 ? "map_ptr()" : "map_ptr(map=" + program.mapName(m.mapIndex()) + ")";
            case MemoryPointer m -> memory(m);
            case Value.Uninit u -> "?";
        };
    }

    private static String memory(MemoryPointer m) {
        StringBuilder sb = new StringBuilder(m.kind().kernelName);
        if (m.maybeNull()) {
            sb.append("_or_null");
        }
        StringBuilder fields = new StringBuilder();
        if (m.id() != MemoryPointer.NO_ID && m.id() != 0) {
            fields.append("id=").append(m.id());
        }
        if (m.offset() != 0) {
            fields.append(fields.isEmpty() ? "" : ",").append("off=").append(m.offset());
        }
        if (m.varMin() != 0 || m.varMax() != 0) {
            fields.append(fields.isEmpty() ? "" : ",").append(withBits(bounds("smin", m.varMin(), "smax", m.varMax()), m.varBits()));
        }
        if (m.kind().isPacket() || m.kind() == PointerKind.INPUT) {
            fields.append(fields.isEmpty() ? "" : ",").append("r=").append(m.range());
        }
        if (m.size() >= 0) {
            fields.append(fields.isEmpty() ? "" : ",").append("size=").append(m.size());
        }
        return sb.append('(').append(fields).append(')').toString();
    }

    /** The kernel's {@code var_off=(value; mask)} after the bounds, where some bit is known. */
    private static String withBits(String bounds, Tnum bits) {
        if (bits.mask() == -1L) {
            return bounds;
        }
        return bounds + (bounds.isEmpty() ? "" : ",") + "var_off=" + bits;
    }

    /**
     * The bounds the kernel prints for a scalar: each not at its domain's end, in the kernel's order, with equal
     * later ones of the same sign folded into the first ({@code smin=umin=0}); numbers beyond 16 bits in hex.
     */
    private static String scalarBounds(Scalar s) {
        String[] names = {"smin", "smax", "umin", "umax", "smin32", "smax32", "umin32", "umax32"};
        long[] values = {s.min(), s.max(), s.umin(), s.umax(), s.min32(), s.max32(), s.umin32(), s.umax32()};
        boolean[] omit = {s.min() == Long.MIN_VALUE, s.max() == Long.MAX_VALUE, s.umin() == 0, s.umax() == -1L, s.min32() == Integer.MIN_VALUE,
                        s.max32() == Integer.MAX_VALUE, s.umin32() == 0, s.umax32() == 0xffff_ffffL};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if (omit[i]) {
                continue;
            }
            boolean signed = names[i].charAt(0) == 's';
            boolean negative = signed && values[i] < 0;
            sb.append(sb.isEmpty() ? "" : ",").append(names[i]).append('=');
            for (int j = i + 2; j < names.length; j += 2) {
                boolean otherNegative = names[j].charAt(0) == 's' && values[j] < 0;
                if (!omit[j] && values[j] == values[i] && otherNegative == negative) {
                    omit[j] = true;
                    sb.append(names[j]).append('=');
                }
            }
            sb.append(signed ? signedNumber(values[i]) : unsignedNumber(values[i]));
        }
        return sb.toString();
    }

    private static String signedNumber(long v) {
        return v >= Short.MIN_VALUE && v <= Short.MAX_VALUE ? Long.toString(v) : "0x" + Long.toHexString(v);
    }

    private static String unsignedNumber(long v) {
        return Long.compareUnsigned(v, 0xffff) <= 0 ? Long.toString(v) : "0x" + Long.toHexString(v);
    }

    private static String bounds(String low, long min, String high, long max) {
        String a = min == Long.MIN_VALUE ? "" : low + "=" + min;
        String b = max == Long.MAX_VALUE ? "" : high + "=" + max;
        return a.isEmpty() || b.isEmpty() ? a + b : a + "," + b;
    }
}
