package org.trufflebpf.verifier;

import static org.trufflebpf.model.Opcodes.*;

import org.trufflebpf.model.Instruction;
import org.trufflebpf.verifier.Value.Scalar;

/**
 * What a conditional jump teaches about its registers on each edge, as the kernel's {@code regs_refine_cond_op}
 * and {@code reg_bounds_sync} work it out: {@code jlt r1, 8} leaves r1 in {@code [0, 7]} when taken. A 64-bit
 * comparison narrows the 64-bit bounds of its domain (signed or unsigned), a 32-bit one ({@code JMP32}) the low
 * half's; the narrowed bounds then narrow all the others, so {@code if w1 < 10} bounds r1 itself when its upper
 * half is known. An edge whose condition no value can meet is infeasible (for example the fall-through of
 * {@code jeq r0, 1} just after {@code mov r0, 1}); the dataflow analysis does not follow it, as the kernel's
 * verifier prunes such branches.
 *
 * <p>Comparisons against a constant (an immediate or a register known to be constant) narrow the other side;
 * when the destination register is the constant, the source register is refined with the mirrored comparison.
 * Between two unknown registers, {@code <} and {@code <=} narrow each by the other's extreme and {@code ==}
 * intersects them.
 */
final class BranchRefinement {
    private static final long LOW = ScalarBounds.U32_MAX;

    private BranchRefinement() {
    }

    /** Relations between the register and the constant, as the taken edge of each jump asserts them. */
    private enum Relation {
        EQ, NE, ULE, ULT, UGE, UGT, SLE, SLT, SGE, SGT, SET, NOT_SET
    }

    /** The constant a jump compares with, or null when it compares with an unknown register. */
    static Long comparedConstant(Instruction insn, Value source) {
        if (source(insn.opcode()) == SRC_K) {
            return (long) insn.imm();
        }
        return source instanceof Scalar s && s.isConstant() ? s.min() : null;
    }

    /**
     * The destination's value on one edge, {@code dst} itself when nothing is learned, or null when the edge
     * cannot be taken.
     */
    static Value refine(Instruction insn, Value dst, Long constant, boolean taken) {
        return refine(insn.opcode(), insn.operation(), dst, constant, taken);
    }

    /**
     * The source register's value on one edge of {@code jOP dst, src} when dst is a constant: {@code k OP r}
     * is {@code r MIRRORED-OP k}. Null when the edge cannot be taken.
     */
    static Value refineSource(Instruction insn, Value src, Value dst, boolean taken) {
        if (!(dst instanceof Scalar k) || !k.isConstant()) {
            return src;
        }
        int mirrored = switch (insn.operation()) {
            case JMP_JGT -> JMP_JLT;
            case JMP_JGE -> JMP_JLE;
            case JMP_JLT -> JMP_JGT;
            case JMP_JLE -> JMP_JGE;
            case JMP_JSGT -> JMP_JSLT;
            case JMP_JSGE -> JMP_JSLE;
            case JMP_JSLT -> JMP_JSGT;
            case JMP_JSLE -> JMP_JSGE;
            default -> insn.operation();
        };
        return refine(insn.opcode(), mirrored, src, k.min(), taken);
    }

    private static Value refine(int opcode, int operation, Value dst, Long constant, boolean taken) {
        if (constant == null || !(dst instanceof Scalar r)) {
            return dst;
        }
        ScalarBounds b = new ScalarBounds(r);
        boolean possible = instructionClass(opcode) == CLASS_JMP32 ? constrain32(b, relation(operation, taken), constant) : constrain64(b, relation(operation, taken), constant);
        return possible ? b.toScalar() : null;
    }

    /**
     * Both registers' values on one edge of {@code jOP dst, src} where neither is a constant, as the kernel's
     * {@code regs_refine_cond_op} narrows them: {@code dst < src} bounds dst by src's largest value and src by
     * dst's least one (in the comparison's domain and width), {@code ==} intersects the two. Null when the edge
     * cannot be taken; {@code {dst, src}} unchanged when nothing is learned ({@code !=}, {@code jset}).
     */
    static Value[] refinePair(Instruction insn, Scalar dst, Scalar src, boolean taken) {
        Relation relation = relation(insn.operation(), taken);
        if (relation == Relation.NE || relation == Relation.SET || relation == Relation.NOT_SET) {
            return new Value[] {dst, src};
        }
        boolean is32 = instructionClass(insn.opcode()) == CLASS_JMP32;
        ScalarBounds d = new ScalarBounds(dst);
        ScalarBounds r = new ScalarBounds(src);
        boolean possible = switch (relation) {
            case EQ -> is32 ? equal32(d, r) : equal64(d, r);
            case ULT -> below(d, r, is32, false, true);
            case ULE -> below(d, r, is32, false, false);
            case UGT -> below(r, d, is32, false, true);
            case UGE -> below(r, d, is32, false, false);
            case SLT -> below(d, r, is32, true, true);
            case SLE -> below(d, r, is32, true, false);
            case SGT -> below(r, d, is32, true, true);
            case SGE -> below(r, d, is32, true, false);
            default -> true;
        };
        Scalar a = possible ? d.toScalar() : null;
        Scalar b = possible ? r.toScalar() : null;
        return a == null || b == null ? null : new Value[] {a, b};
    }

    /**
     * {@code lo < hi} (or {@code <=}): lo's largest value below hi's largest, hi's least above lo's least, in the
     * signed or unsigned domain of the width. False when that leaves no value.
     */
    private static boolean below(ScalarBounds lo, ScalarBounds hi, boolean is32, boolean signed, boolean strict) {
        int step = strict ? 1 : 0;
        if (is32 && signed) {
            if (strict && (hi.smax32 == Integer.MIN_VALUE || lo.smin32 == Integer.MAX_VALUE)) {
                return false;
            }
            lo.smax32 = Math.min(lo.smax32, hi.smax32 - step);
            hi.smin32 = Math.max(hi.smin32, lo.smin32 + step);
        } else if (is32) {
            if (strict && (hi.umax32 == 0 || lo.umin32 == LOW)) {
                return false;
            }
            lo.umax32 = Math.min(lo.umax32, hi.umax32 - step);
            hi.umin32 = Math.max(hi.umin32, lo.umin32 + step);
        } else if (signed) {
            if (strict && (hi.smax == Long.MIN_VALUE || lo.smin == Long.MAX_VALUE)) {
                return false;
            }
            lo.smax = Math.min(lo.smax, hi.smax - step);
            hi.smin = Math.max(hi.smin, lo.smin + step);
        } else {
            if (strict && (hi.umax == 0 || lo.umin == -1L)) {
                return false;
            }
            lo.umax = ScalarBounds.minUnsigned(lo.umax, hi.umax - step);
            hi.umin = ScalarBounds.maxUnsigned(hi.umin, lo.umin + step);
        }
        return true;
    }

    /** Equal registers: every bound and bit of either holds for both. */
    private static boolean equal64(ScalarBounds d, ScalarBounds r) {
        if (!d.bits.agrees(r.bits)) {
            return false;
        }
        d.smin = Math.max(d.smin, r.smin);
        d.smax = Math.min(d.smax, r.smax);
        d.umin = ScalarBounds.maxUnsigned(d.umin, r.umin);
        d.umax = ScalarBounds.minUnsigned(d.umax, r.umax);
        d.smin32 = Math.max(d.smin32, r.smin32);
        d.smax32 = Math.min(d.smax32, r.smax32);
        d.umin32 = Math.max(d.umin32, r.umin32);
        d.umax32 = Math.min(d.umax32, r.umax32);
        d.bits = d.bits.intersect(r.bits);
        r.setTo(d);
        return true;
    }

    /** Equal low halves: the low half's bounds and bits of either hold for both; the upper halves are untouched. */
    private static boolean equal32(ScalarBounds d, ScalarBounds r) {
        Tnum dl = ScalarBounds.subreg(d.bits);
        Tnum rl = ScalarBounds.subreg(r.bits);
        if (!dl.agrees(rl)) {
            return false;
        }
        Tnum low = dl.intersect(rl);
        long smin32 = Math.max(d.smin32, r.smin32);
        long smax32 = Math.min(d.smax32, r.smax32);
        long umin32 = Math.max(d.umin32, r.umin32);
        long umax32 = Math.min(d.umax32, r.umax32);
        for (ScalarBounds b : new ScalarBounds[] {d, r}) {
            b.smin32 = smin32;
            b.smax32 = smax32;
            b.umin32 = umin32;
            b.umax32 = umax32;
            b.bits = ScalarBounds.withLow(b.bits, low);
        }
        return true;
    }

    private static Relation relation(int operation, boolean taken) {
        return switch (operation) {
            case JMP_JEQ -> taken ? Relation.EQ : Relation.NE;
            case JMP_JNE -> taken ? Relation.NE : Relation.EQ;
            case JMP_JGT -> taken ? Relation.UGT : Relation.ULE;
            case JMP_JGE -> taken ? Relation.UGE : Relation.ULT;
            case JMP_JLT -> taken ? Relation.ULT : Relation.UGE;
            case JMP_JLE -> taken ? Relation.ULE : Relation.UGT;
            case JMP_JSGT -> taken ? Relation.SGT : Relation.SLE;
            case JMP_JSGE -> taken ? Relation.SGE : Relation.SLT;
            case JMP_JSLT -> taken ? Relation.SLT : Relation.SGE;
            case JMP_JSLE -> taken ? Relation.SLE : Relation.SGT;
            case JMP_JSET -> taken ? Relation.SET : Relation.NOT_SET;
            default -> throw new IllegalArgumentException("not a conditional jump: " + operation);
        };
    }

    /** Narrows {@code b} to the values with {@code b RELATION k} (64-bit); false when none is left. */
    private static boolean constrain64(ScalarBounds b, Relation relation, long k) {
        switch (relation) {
            case EQ -> {
                // A constant the tnum rules out (a bit known 0 set in k, say) is no value of r.
                if (!b.bits.contains(k)) {
                    return false;
                }
                b.smin = Math.max(b.smin, k);
                b.smax = Math.min(b.smax, k);
                b.umin = ScalarBounds.maxUnsigned(b.umin, k);
                b.umax = ScalarBounds.minUnsigned(b.umax, k);
                b.bits = Tnum.constant(k);
            }
            case NE -> {
                if (b.smin == k && b.smax == k || b.umin == k && b.umax == k || b.bits.isConstant() && b.bits.value() == k) {
                    return false;
                }
                // Only an end of a range can be cut off (neither end wraps: the range is not just k).
                b.smin = b.smin == k ? k + 1 : b.smin;
                b.smax = b.smax == k ? k - 1 : b.smax;
                b.umin = b.umin == k ? k + 1 : b.umin;
                b.umax = b.umax == k ? k - 1 : b.umax;
            }
            case ULE -> b.umax = ScalarBounds.minUnsigned(b.umax, k);
            case ULT -> {
                if (k == 0) {
                    return false;
                }
                b.umax = ScalarBounds.minUnsigned(b.umax, k - 1);
            }
            case UGE -> b.umin = ScalarBounds.maxUnsigned(b.umin, k);
            case UGT -> {
                if (k == -1L) {
                    return false;
                }
                b.umin = ScalarBounds.maxUnsigned(b.umin, k + 1);
            }
            case SLE -> b.smax = Math.min(b.smax, k);
            case SLT -> {
                if (k == Long.MIN_VALUE) {
                    return false;
                }
                b.smax = Math.min(b.smax, k - 1);
            }
            case SGE -> b.smin = Math.max(b.smin, k);
            case SGT -> {
                if (k == Long.MAX_VALUE) {
                    return false;
                }
                b.smin = Math.max(b.smin, k + 1);
            }
            case SET -> {
                return testBits(b, k);
            }
            case NOT_SET -> {
                return clearBits(b, k);
            }
        }
        return b.consistent();
    }

    /** Narrows {@code b} to the values whose low half has {@code low RELATION k}; false when none is left. */
    private static boolean constrain32(ScalarBounds b, Relation relation, long constant) {
        long k = (int) constant;
        long ku = constant & LOW;
        switch (relation) {
            case EQ -> {
                Tnum low = ScalarBounds.subreg(b.bits);
                if (!low.contains(ku)) {
                    return false;
                }
                b.smin32 = Math.max(b.smin32, k);
                b.smax32 = Math.min(b.smax32, k);
                b.umin32 = Math.max(b.umin32, ku);
                b.umax32 = Math.min(b.umax32, ku);
                b.bits = ScalarBounds.withLow(b.bits, Tnum.constant(ku));
            }
            case NE -> {
                b.smin32 = b.smin32 == k ? k + 1 : b.smin32;
                b.smax32 = b.smax32 == k ? k - 1 : b.smax32;
                b.umin32 = b.umin32 == ku ? ku + 1 : b.umin32;
                b.umax32 = b.umax32 == ku ? ku - 1 : b.umax32;
                Tnum low = ScalarBounds.subreg(b.bits);
                if (low.isConstant() && low.value() == ku) {
                    return false;
                }
            }
            case ULE -> b.umax32 = Math.min(b.umax32, ku);
            case ULT -> b.umax32 = Math.min(b.umax32, ku - 1);
            case UGE -> b.umin32 = Math.max(b.umin32, ku);
            case UGT -> b.umin32 = Math.max(b.umin32, ku + 1);
            case SLE -> b.smax32 = Math.min(b.smax32, k);
            case SLT -> b.smax32 = Math.min(b.smax32, k - 1);
            case SGE -> b.smin32 = Math.max(b.smin32, k);
            case SGT -> b.smin32 = Math.max(b.smin32, k + 1);
            case SET -> {
                return testBits(b, ku);
            }
            case NOT_SET -> {
                return clearBits(b, ku);
            }
        }
        // A bound pushed past its partner (k - 1 below 0, say) leaves nothing, as consistent() tells.
        return b.consistent();
    }

    /** Some bit of {@code k} set: impossible when all are known 0; one tested bit is then known to be 1. */
    private static boolean testBits(ScalarBounds b, long k) {
        if (((b.bits.value() | b.bits.mask()) & k) == 0) {
            return false;
        }
        // As the kernel: with several tested bits, which one is set is not known.
        if (Long.bitCount(k) == 1) {
            b.bits = b.bits.or(Tnum.constant(k));
        }
        return true;
    }

    /** Every bit of {@code k} clear: impossible when one of them is known to be 1. */
    private static boolean clearBits(ScalarBounds b, long k) {
        if ((b.bits.value() & k) != 0) {
            return false;
        }
        b.bits = b.bits.and(Tnum.constant(~k));
        return true;
    }
}
