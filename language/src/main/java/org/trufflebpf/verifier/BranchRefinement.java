package org.trufflebpf.verifier;

import static org.trufflebpf.model.Opcodes.*;

import org.trufflebpf.model.Instruction;
import org.trufflebpf.verifier.Value.Scalar;

/**
 * What a conditional jump teaches about its destination register on each edge: {@code jlt r1, 8} leaves
 * r1 in {@code [0, 7]} when taken. An edge whose condition cannot hold for the known range is infeasible
 * (for example the fall-through of {@code jeq r0, 1} just after {@code mov r0, 1}); the dataflow analysis does
 * not follow it, as the kernel's verifier prunes such branches.
 *
 * <p>Only comparisons against a constant (an immediate or a register known to be constant) refine; when the
 * destination register is the constant, the source register is refined with the mirrored comparison.
 * 32-bit comparisons refine only when both sides lie in {@code [0, 2^31)}, where they agree with the 64-bit
 * ones.
 */
final class BranchRefinement {
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
        if (constant == null || !(dst instanceof Scalar range)) {
            return dst;
        }
        long k = constant;
        if (instructionClass(opcode) == CLASS_JMP32) {
            long k32 = (int) k;
            boolean bothSmall = range.min() >= 0 && range.max() <= Integer.MAX_VALUE && k32 >= 0;
            if (range.isConstant()) {
                boolean holds = holds32(operation, (int) range.min(), (int) k);
                return holds == taken ? dst : null;
            }
            if (!bothSmall) {
                return dst;
            }
            k = k32;
        }
        Relation relation = relation(operation, taken);
        return constrain(range, relation, k);
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

    /** The part of {@code r} for which {@code r RELATION k} holds, as a range; null when empty. */
    private static Scalar constrain(Scalar r, Relation relation, long k) {
        switch (relation) {
            case EQ:
                // A constant the tnum rules out (a bit known 0 set in k, say) is no value of r.
                return r.bits().contains(k) ? intersect(r, k, k) : null;
            case NE:
                if (r.isConstant() && r.min() == k) {
                    return null;
                }
                if (r.min() == k) {
                    return new Scalar(k + 1, r.max(), r.bits());
                }
                if (r.max() == k) {
                    return new Scalar(r.min(), k - 1, r.bits());
                }
                return r;
            case SLE:
                return intersect(r, Long.MIN_VALUE, k);
            case SLT:
                return k == Long.MIN_VALUE ? null : intersect(r, Long.MIN_VALUE, k - 1);
            case SGE:
                return intersect(r, k, Long.MAX_VALUE);
            case SGT:
                return k == Long.MAX_VALUE ? null : intersect(r, k + 1, Long.MAX_VALUE);
            case ULE:
                return unsignedAtMost(r, k);
            case ULT:
                return k == 0 ? null : unsignedAtMost(r, k - 1);
            case UGE:
                return unsignedAtLeast(r, k);
            case UGT:
                return k == -1 ? null : unsignedAtLeast(r, k + 1);
            case SET:
                if (r.isConstant()) {
                    return (r.min() & k) != 0 ? r : null;
                }
                if (((r.bits().value() | r.bits().mask()) & k) == 0) {
                    return null;
                }
                // As the kernel: one tested bit is then known to be 1 (with several, which one is not known).
                return Long.bitCount(k) == 1 ? withBits(r, r.bits().or(Tnum.constant(k))) : r;
            case NOT_SET:
                if (r.isConstant()) {
                    return (r.min() & k) == 0 ? r : null;
                }
                // Every tested bit is 0: a bit known to be 1 among them rules the edge out.
                return (r.bits().value() & k) != 0 ? null : withBits(r, r.bits().and(Tnum.constant(~k)));
            default:
                return r;
        }
    }

    /** {@code r <=u k}: for k in [0, MAX] exactly the signed range [0, k]; above that, all but (k, -1]. */
    private static Scalar unsignedAtMost(Scalar r, long k) {
        if (k >= 0) {
            return intersect(r, 0, k);
        }
        return r.min() > k && r.max() < 0 ? null : r;
    }

    /** {@code r >=u k}: for k >= 0, [k, MAX] plus every negative value; for k < 0, exactly [k, -1]. */
    private static Scalar unsignedAtLeast(Scalar r, long k) {
        if (k < 0) {
            return intersect(r, k, -1);
        }
        if (r.min() >= 0) {
            return intersect(r, k, Long.MAX_VALUE);
        }
        if (r.max() < k) {
            return intersect(r, Long.MIN_VALUE, -1);
        }
        return r;
    }

    private static Scalar intersect(Scalar r, long min, long max) {
        long low = Math.max(r.min(), min);
        long high = Math.min(r.max(), max);
        return low <= high ? new Scalar(low, high, r.bits()) : null;
    }

    /** {@code r} with its bits narrowed to {@code bits}; null when no value of the range has them. */
    private static Scalar withBits(Scalar r, Tnum bits) {
        if (!Tnum.signedRange(r.min(), r.max()).agrees(bits) || bits.signedMin() > r.max() || bits.signedMax() < r.min()) {
            return null;
        }
        return new Scalar(r.min(), r.max(), bits);
    }

    private static boolean holds32(int operation, int a, int b) {
        return switch (operation) {
            case JMP_JEQ -> a == b;
            case JMP_JNE -> a != b;
            case JMP_JGT -> Integer.compareUnsigned(a, b) > 0;
            case JMP_JGE -> Integer.compareUnsigned(a, b) >= 0;
            case JMP_JLT -> Integer.compareUnsigned(a, b) < 0;
            case JMP_JLE -> Integer.compareUnsigned(a, b) <= 0;
            case JMP_JSGT -> a > b;
            case JMP_JSGE -> a >= b;
            case JMP_JSLT -> a < b;
            case JMP_JSLE -> a <= b;
            case JMP_JSET -> (a & b) != 0;
            default -> throw new IllegalArgumentException("not a conditional jump: " + operation);
        };
    }
}
