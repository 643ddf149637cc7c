package org.trufflebpf.verifier;

import static org.trufflebpf.model.Opcodes.*;

import java.util.function.Consumer;

import org.trufflebpf.verifier.Value.MemoryPointer;
import org.trufflebpf.verifier.Value.Scalar;
import org.trufflebpf.verifier.Value.StackPointer;

/**
 * The abstract meaning of ALU instructions: exact results for constants (with the BPF rules for division by
 * zero and shift masking), sound bounds (the kernel's eight, through {@link ScalarBounds}) for the common range-preserving operations, and the kernel's
 * pointer arithmetic: a 64-bit {@code mov}, or adding or subtracting a scalar, keeps a pointer's kind;
 * {@code ptr - ptr} is a number; anything else on a pointer (or, and, xor, shifts, mul, div, mod, neg, byte
 * swaps, sign-extending moves, every 32-bit operation) gives an unknown scalar, which cannot be dereferenced. A stack pointer that an operation turns into something
 * untracked is reported to {@link #escapes}, so the frame can be sized to cover it.
 */
final class Arithmetic {
    private static final long U32_MAX = 0xffff_ffffL;

    private final Consumer<StackPointer> escapes;

    Arithmetic(Consumer<StackPointer> escapes) {
        this.escapes = escapes;
    }

    /** Result of an ALU instruction {@code dst = dst OP src} (or a unary operation on dst). */
    Value alu(int opcode, int offset, int imm, Value dst, Value src) {
        boolean is64 = instructionClass(opcode) == CLASS_ALU64;
        int operation = operation(opcode);
        if (operation == ALU_END) {
            return endian(opcode, imm, dst);
        }
        if (operation == ALU_MOV) {
            return move(is64, offset, src);
        }
        return is64 ? alu64(operation, offset, dst, src) : alu32(operation, offset, dst, src);
    }

    private Value move(boolean is64, int offset, Value src) {
        if (offset == 0 && is64) {
            return src;
        }
        if (!(src instanceof Scalar s)) {
            noteEscape(src);
            return is64 ? Value.UNKNOWN : Value.U32;
        }
        if (s.isConstant()) {
            return Value.constant(is64 ? exact64(ALU_MOV, offset, 0, s.min()) : exact32(ALU_MOV, offset, 0, (int) s.min()));
        }
        if (offset == 0) {
            return s.zeroExtended();
        }
        long bound = 1L << (offset - 1);
        if (is64) {
            // A value already inside the narrower signed range is left as it is by the sign extension.
            return s.min() >= -bound && s.max() < bound ? s : new Scalar(-bound, bound - 1);
        }
        Scalar extended = ScalarBounds.zeroExtended(-bound, bound - 1, 0, U32_MAX, Tnum.UNKNOWN).toScalar();
        return extended == null ? Value.U32 : extended;
    }

    private Value alu64(int operation, int offset, Value dst, Value src) {
        if (dst instanceof Scalar d && src instanceof Scalar s) {
            if (!kernelTracks(operation, s, 64)) {
                return Value.UNKNOWN;
            }
            if (d.isConstant() && s.isConstant()) {
                return Value.constant(exact64(operation, offset, d.min(), s.min()));
            }
            return range(operation, offset, d, s, 63);
        }
        if (operation == ALU_ADD) {
            if (dst instanceof StackPointer p && src instanceof Scalar s) {
                return offsetBy(p, s.min(), s.max(), p.bits().add(s.bits()));
            }
            if (dst instanceof Scalar s && src instanceof StackPointer p) {
                return offsetBy(p, s.min(), s.max(), p.bits().add(s.bits()));
            }
            if (dst instanceof MemoryPointer p && src instanceof Scalar s) {
                return moved(p, s.min(), s.max(), p.varBits().add(s.bits()));
            }
            if (dst instanceof Scalar s && src instanceof MemoryPointer p) {
                return moved(p, s.min(), s.max(), p.varBits().add(s.bits()));
            }
        }
        if (operation == ALU_SUB) {
            if (dst instanceof StackPointer p && src instanceof Scalar s) {
                if (s.min() == Long.MIN_VALUE) {
                    return p.unbounded();
                }
                return offsetBy(p, -s.max(), -s.min(), p.bits().sub(s.bits()));
            }
            if (dst instanceof StackPointer a && src instanceof StackPointer b && a.base() == b.base()) {
                // A distance between two places in the same frame is a number, not an escape.
                return Value.UNKNOWN;
            }
            if (dst instanceof MemoryPointer p && src instanceof Scalar s) {
                return s.min() == Long.MIN_VALUE ? moved(p, Long.MIN_VALUE, Long.MAX_VALUE, null) : moved(p, -s.max(), -s.min(), p.varBits().sub(s.bits()));
            }
            if (dst instanceof MemoryPointer && src instanceof MemoryPointer) {
                // A distance (data_end - data, say) is a number.
                return Value.UNKNOWN;
            }
        }
        noteEscape(dst);
        noteEscape(src);
        return Value.UNKNOWN;
    }

    private Value alu32(int operation, int offset, Value dst, Value src) {
        if (!(dst instanceof Scalar d) || !(src instanceof Scalar s)) {
            noteEscape(dst);
            noteEscape(src);
            return Value.U32;
        }
        if (!kernelTracks(operation, s, 32)) {
            return Value.U32;
        }
        if (d.isConstant() && s.isConstant()) {
            return Value.constant(exact32(operation, offset, (int) d.min(), (int) s.min()));
        }
        if (offset != 0) {
            return Value.U32;
        }
        return range32(operation, d, s);
    }

    /**
     * A 32-bit operation on two scalars, at least one not constant, as the kernel's {@code scalar32_min_max_*}
     * rules give it: the low halves' unsigned bounds through the 64-bit rules on their zero-extended values (kept
     * when the result stays below 2^32), signed bounds for the operations whose signed result the kernel
     * computes (add, sub, neg, arsh), the bits from the low halves' tnums; then zero-extended.
     */
    private static Value range32(int operation, Scalar d, Scalar s) {
        Tnum dl = ScalarBounds.subreg(d.bits());
        Tnum sl = ScalarBounds.subreg(s.bits());
        long umin32 = 0;
        long umax32 = U32_MAX;
        if (operation != ALU_ARSH) {
            Value unsigned = boundsRange(operation, 0, new Scalar(d.umin32(), d.umax32(), dl), new Scalar(s.umin32(), s.umax32(), sl), 31);
            if (unsigned instanceof Scalar u && u.min() >= 0 && u.max() <= U32_MAX) {
                umin32 = u.min();
                umax32 = u.max();
            }
        }
        long smin32 = Integer.MIN_VALUE;
        long smax32 = Integer.MAX_VALUE;
        long lo = smin32;
        long hi = smax32;
        switch (operation) {
            case ALU_ADD -> {
                lo = d.min32() + s.min32();
                hi = d.max32() + s.max32();
            }
            case ALU_SUB -> {
                lo = d.min32() - s.max32();
                hi = d.max32() - s.min32();
            }
            case ALU_NEG -> {
                lo = -d.max32();
                hi = -d.min32();
            }
            case ALU_ARSH -> {
                int k = (int) (s.min() & 31);
                lo = d.min32() >> k;
                hi = d.max32() >> k;
            }
            default -> {
            }
        }
        if (lo >= Integer.MIN_VALUE && hi <= Integer.MAX_VALUE) {
            smin32 = lo;
            smax32 = hi;
        }
        Tnum bits = operation == ALU_ARSH ? signExtended32(dl).shiftRightArithmetic((int) (s.min() & 31)) : bitsOf(operation, dl, sl, s, 31);
        Scalar result = ScalarBounds.zeroExtended(smin32, smax32, umin32, umax32, bits == null ? Tnum.UNKNOWN : bits).toScalar();
        return result == null ? Value.U32 : result;
    }

    /** A low-half tnum read as a signed 32-bit number: bit 31, known or not, copied into the upper half. */
    private static Tnum signExtended32(Tnum low) {
        return new Tnum((int) low.value(), (int) low.mask());
    }

    /**
     * Whether the kernel computes a range for {@code dst OP src} at all ({@code is_safe_to_compute_dst_reg_range}):
     * not for division and modulo, even of constants, and not for a shift by anything but a constant below the
     * width. Ours follows, so that a quotient used as a pointer offset is refused here exactly when the kernel
     * refuses it (as a register with an unbounded minimum).
     */
    private static boolean kernelTracks(int operation, Scalar src, int bits) {
        return switch (operation) {
            case ALU_DIV, ALU_MOD -> false;
            case ALU_LSH, ALU_RSH, ALU_ARSH -> src.isConstant() && src.min() >= 0 && src.min() < bits;
            default -> true;
        };
    }

    /**
     * Range of a 64-bit operation on two scalars, at least one not constant: the range rules' result, narrowed
     * by what the operands' tristate numbers say of the result's bits (an {@code and} with {@code ~7} keeps a
     * small number small, an {@code or} of bits keeps it below the next power of two).
     */
    private static Value range(int operation, int offset, Scalar d, Scalar s, int shiftMask) {
        Value bounds = boundsRange(operation, offset, d, s, shiftMask);
        Tnum bits = bitsOf(operation, d.bits(), s.bits(), s, shiftMask);
        Scalar known = bounds instanceof Scalar b ? b : Value.UNKNOWN;
        ScalarBounds result = ScalarBounds.signed64(known.min(), known.max(), bits == null || !known.bits().agrees(bits) ? known.bits() : bits.intersect(known.bits()));
        unsignedAndLowBounds(operation, d, s, result);
        // The bounds narrow each other as the constructor would; sound rules never leave them empty.
        Scalar synced = result.toScalar();
        return synced == null ? known : synced;
    }

    /**
     * The unsigned 64-bit bounds and the low half's bounds of a 64-bit result, for the operations whose rules the
     * kernel gives for those domains ({@code scalar_min_max_add}, {@code _sub}, {@code _and}, {@code _or} and their
     * 32-bit forms): the low half of a sum is the sum of the low halves.
     */
    private static void unsignedAndLowBounds(int operation, Scalar d, Scalar s, ScalarBounds r) {
        switch (operation) {
            case ALU_ADD -> {
                long umin = d.umin() + s.umin();
                long umax = d.umax() + s.umax();
                if (Long.compareUnsigned(umax, d.umax()) >= 0 && Long.compareUnsigned(umin, d.umin()) >= 0) {
                    r.umin = umin;
                    r.umax = umax;
                }
                lowBounds(r, d.min32() + s.min32(), d.max32() + s.max32(), d.umin32() + s.umin32(), d.umax32() + s.umax32());
            }
            case ALU_SUB -> {
                if (Long.compareUnsigned(d.umin(), s.umax()) >= 0) {
                    r.umin = d.umin() - s.umax();
                    r.umax = d.umax() - s.umin();
                }
                lowBounds(r, d.min32() - s.max32(), d.max32() - s.min32(), d.umin32() - s.umax32(), d.umax32() - s.umin32());
            }
            case ALU_AND -> {
                r.umax = ScalarBounds.minUnsigned(d.umax(), s.umax());
                r.umax32 = Math.min(d.umax32(), s.umax32());
            }
            case ALU_OR -> {
                r.umin = ScalarBounds.maxUnsigned(d.umin(), s.umin());
                r.umin32 = Math.max(d.umin32(), s.umin32());
            }
            default -> {
            }
        }
    }

    /** The low half's bounds of a sum or difference, where it does not wrap in that domain. */
    private static void lowBounds(ScalarBounds r, long smin32, long smax32, long umin32, long umax32) {
        if (smin32 >= Integer.MIN_VALUE && smax32 <= Integer.MAX_VALUE) {
            r.smin32 = smin32;
            r.smax32 = smax32;
        }
        if (umin32 >= 0 && umax32 <= U32_MAX) {
            r.umin32 = umin32;
            r.umax32 = umax32;
        }
    }

    /** The tnum of {@code d OP s} where the kernel's tnum rules define one; null otherwise. */
    private static Tnum bitsOf(int operation, Tnum d, Tnum s, Scalar source, int shiftMask) {
        return switch (operation) {
            case ALU_ADD -> d.add(s);
            case ALU_SUB -> d.sub(s);
            case ALU_NEG -> Tnum.constant(0).sub(d);
            case ALU_AND -> d.and(s);
            case ALU_OR -> d.or(s);
            case ALU_XOR -> d.xor(s);
            case ALU_MUL -> d.mul(s);
            case ALU_LSH -> source.isConstant() ? d.shiftLeft((int) (source.min() & shiftMask)) : null;
            case ALU_RSH -> source.isConstant() ? d.shiftRight((int) (source.min() & shiftMask)) : null;
            // A 32-bit arsh never comes here (its sign is bit 31).
            case ALU_ARSH -> source.isConstant() && shiftMask == 63 ? d.shiftRightArithmetic((int) (source.min() & shiftMask)) : null;
            default -> null;
        };
    }

    /** Range of a 64-bit operation on two scalars by the bounds alone. */
    private static Value boundsRange(int operation, int offset, Scalar d, Scalar s, int shiftMask) {
        switch (operation) {
            case ALU_ADD:
                return add(d, s.min(), s.max());
            case ALU_SUB:
                if (s.min() == Long.MIN_VALUE) {
                    return Value.UNKNOWN;
                }
                return add(d, -s.max(), -s.min());
            case ALU_AND:
                if (s.isConstant() && s.min() >= 0) {
                    return new Scalar(0, d.nonNegative() ? Math.min(d.max(), s.min()) : s.min());
                }
                if (d.isConstant() && d.min() >= 0) {
                    return new Scalar(0, s.nonNegative() ? Math.min(s.max(), d.min()) : d.min());
                }
                if (d.nonNegative() && s.nonNegative()) {
                    return new Scalar(0, Math.min(d.max(), s.max()));
                }
                return Value.UNKNOWN;
            case ALU_OR, ALU_XOR:
                if (d.nonNegative() && s.nonNegative()) {
                    long larger = Math.max(d.max(), s.max());
                    long allOnes = larger == 0 ? 0 : -1L >>> Long.numberOfLeadingZeros(larger);
                    long low = operation == ALU_OR ? Math.max(d.min(), s.min()) : 0;
                    return new Scalar(low, allOnes);
                }
                return Value.UNKNOWN;
            case ALU_MUL:
                if (d.nonNegative() && s.nonNegative()) {
                    try {
                        return new Scalar(d.min() * s.min(), Math.multiplyExact(d.max(), s.max()));
                    } catch (ArithmeticException overflow) {
                        return Value.UNKNOWN;
                    }
                }
                return Value.UNKNOWN;
            case ALU_DIV:
                if (offset == 0 && s.isConstant() && s.min() > 0 && d.nonNegative()) {
                    return new Scalar(d.min() / s.min(), d.max() / s.min());
                }
                return Value.UNKNOWN;
            case ALU_MOD:
                if (offset == 0 && s.isConstant() && s.min() > 0) {
                    return new Scalar(0, d.nonNegative() ? Math.min(d.max(), s.min() - 1) : s.min() - 1);
                }
                return Value.UNKNOWN;
            case ALU_LSH:
                if (s.isConstant() && d.nonNegative()) {
                    int k = (int) (s.min() & shiftMask);
                    if (d.max() <= (Long.MAX_VALUE >>> k)) {
                        return new Scalar(d.min() << k, d.max() << k);
                    }
                }
                return Value.UNKNOWN;
            case ALU_RSH:
                if (s.isConstant()) {
                    int k = (int) (s.min() & shiftMask);
                    if (k == 0) {
                        return d;
                    }
                    return d.nonNegative() ? new Scalar(d.min() >>> k, d.max() >>> k) : new Scalar(0, -1L >>> k);
                }
                return d.nonNegative() ? new Scalar(0, d.max()) : Value.UNKNOWN;
            case ALU_ARSH:
                if (s.isConstant()) {
                    int k = (int) (s.min() & shiftMask);
                    return new Scalar(d.min() >> k, d.max() >> k);
                }
                return Value.UNKNOWN;
            case ALU_NEG:
                if (d.min() == Long.MIN_VALUE) {
                    return Value.UNKNOWN;
                }
                return new Scalar(-d.max(), -d.min());
            default:
                return Value.UNKNOWN;
        }
    }

    private static Value add(Scalar d, long lo, long hi) {
        try {
            return new Scalar(Math.addExact(d.min(), lo), Math.addExact(d.max(), hi));
        } catch (ArithmeticException overflow) {
            return Value.UNKNOWN;
        }
    }

    /**
     * A memory pointer plus a number in {@code [lo, hi]}. A moved context pointer no longer loads the packet
     * pointer fields ({@link ContextFields}; nor does the load-time rewrite touch such loads): see
     * {@link PointerKind#MOVED_CONTEXT}. The packet's end cannot move (the verifier refuses it, as the kernel
     * does: a moved end would prove a wrong range). For tracked kinds a constant moves the constant part of
     * the offset, keeping id and proven range; anything else widens the variable part, and a packet pointer
     * then starts a new id with nothing proven (the interpreter gives it the id of the instruction).
     */
    private static Value moved(MemoryPointer p, long lo, long hi, Tnum movedBits) {
        if (p.kind() == PointerKind.CONTEXT) {
            return new MemoryPointer(PointerKind.MOVED_CONTEXT, p.maybeNull());
        }
        if (p.kind() == PointerKind.PACKET_END) {
            return Value.UNKNOWN;
        }
        if (!p.kind().tracksOffset) {
            return p;
        }
        if (lo == hi && lo != Long.MIN_VALUE && lo != Long.MAX_VALUE) {
            try {
                return new MemoryPointer(p.kind(), p.maybeNull(), p.id(), Math.addExact(p.offset(), lo), p.varMin(), p.varMax(), p.size(), p.range(), p.varBits());
            } catch (ArithmeticException overflow) {
                return new MemoryPointer(p.kind(), p.maybeNull(), MemoryPointer.NO_ID, p.offset(), Long.MIN_VALUE, Long.MAX_VALUE, p.size(), 0);
            }
        }
        long varMin = Long.MIN_VALUE;
        long varMax = Long.MAX_VALUE;
        try {
            if (p.varMin() != Long.MIN_VALUE && lo != Long.MIN_VALUE) {
                varMin = Math.addExact(p.varMin(), lo);
            }
            if (p.varMax() != Long.MAX_VALUE && hi != Long.MAX_VALUE) {
                varMax = Math.addExact(p.varMax(), hi);
            }
        } catch (ArithmeticException overflow) {
            varMin = Long.MIN_VALUE;
            varMax = Long.MAX_VALUE;
        }
        int id = p.kind().isPacket() ? MemoryPointer.NO_ID : p.id();
        // A proven packet or input range is relative to the variable part it was proven for.
        long range = p.kind().isPacket() || p.kind() == PointerKind.INPUT ? 0 : p.range();
        // The bits describe the variable part only while its range is known (as the range's own bits would).
        Tnum bits = varMin == Long.MIN_VALUE || varMax == Long.MAX_VALUE ? null : movedBits;
        return new MemoryPointer(p.kind(), p.maybeNull(), id, p.offset(), varMin, varMax, p.size(), range, bits);
    }

    /** A stack pointer moved by a number in {@code [lo, hi]}; {@code bits}: the moved offset's tnum. */
    private static StackPointer offsetBy(StackPointer p, long lo, long hi, Tnum bits) {
        if (!p.bounded() || lo == Long.MIN_VALUE || hi == Long.MAX_VALUE) {
            return p.unbounded();
        }
        try {
            return new StackPointer(p.base(), Math.addExact(p.minOffset(), lo), Math.addExact(p.maxOffset(), hi), bits);
        } catch (ArithmeticException overflow) {
            return p.unbounded();
        }
    }

    private Value endian(int opcode, int width, Value dst) {
        if (dst instanceof Scalar d && d.isConstant()) {
            return Value.constant(exactEndian(opcode, width, d.min()));
        }
        noteEscape(dst);
        return width == 64 ? Value.UNKNOWN : new Scalar(0, -1L >>> (64 - width));
    }

    private void noteEscape(Value value) {
        if (value instanceof StackPointer p) {
            escapes.accept(p);
        }
    }

    /** {@code d OP s} on 64 bits as BPF defines it: x / 0 = 0, x % 0 = x, shifts masked to 6 bits. */
    static long exact64(int operation, int offset, long d, long s) {
        boolean signed = offset == 1;
        return switch (operation) {
            case ALU_ADD -> d + s;
            case ALU_SUB -> d - s;
            case ALU_MUL -> d * s;
            case ALU_DIV -> s == 0 ? 0 : signed ? d / s : Long.divideUnsigned(d, s);
            case ALU_MOD -> s == 0 ? d : signed ? d % s : Long.remainderUnsigned(d, s);
            case ALU_OR -> d | s;
            case ALU_AND -> d & s;
            case ALU_XOR -> d ^ s;
            case ALU_LSH -> d << (s & 63);
            case ALU_RSH -> d >>> (s & 63);
            case ALU_ARSH -> d >> (s & 63);
            case ALU_NEG -> -d;
            case ALU_MOV -> switch (offset) {
                case 8 -> (byte) s;
                case 16 -> (short) s;
                case 32 -> (int) s;
                default -> s;
            };
            default -> throw new IllegalArgumentException("not an ALU operation: " + operation);
        };
    }

    /** {@code d OP s} on 32 bits, zero-extended to 64 as the 32-bit ALU class writes it. */
    static long exact32(int operation, int offset, int d, int s) {
        boolean signed = offset == 1;
        int result = switch (operation) {
            case ALU_ADD -> d + s;
            case ALU_SUB -> d - s;
            case ALU_MUL -> d * s;
            case ALU_DIV -> s == 0 ? 0 : signed ? d / s : Integer.divideUnsigned(d, s);
            case ALU_MOD -> s == 0 ? d : signed ? d % s : Integer.remainderUnsigned(d, s);
            case ALU_OR -> d | s;
            case ALU_AND -> d & s;
            case ALU_XOR -> d ^ s;
            case ALU_LSH -> d << (s & 31);
            case ALU_RSH -> d >>> (s & 31);
            case ALU_ARSH -> d >> (s & 31);
            case ALU_NEG -> -d;
            case ALU_MOV -> switch (offset) {
                case 8 -> (byte) s;
                case 16 -> (short) s;
                default -> s;
            };
            default -> throw new IllegalArgumentException("not an ALU operation: " + operation);
        };
        return result & U32_MAX;
    }

    /** {@code le}/{@code be}/{@code bswap} of a known value, on a little-endian machine. */
    static long exactEndian(int opcode, int width, long value) {
        boolean swap = instructionClass(opcode) == CLASS_ALU64 || source(opcode) == SRC_X;
        return switch (width) {
            case 16 -> (swap ? Short.reverseBytes((short) value) : (short) value) & 0xffffL;
            case 32 -> (swap ? Integer.reverseBytes((int) value) : (int) value) & U32_MAX;
            default -> swap ? Long.reverseBytes(value) : value;
        };
    }
}
