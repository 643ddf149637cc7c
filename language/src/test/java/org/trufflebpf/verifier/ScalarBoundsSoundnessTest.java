package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.trufflebpf.model.Opcodes.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.verifier.Value.Scalar;

/**
 * The eight bounds and the tnum of a scalar against concrete values: random sets of numbers (drawn near the
 * edges where the domains disagree: 0, 2^31, 2^32, 2^63, -1) are followed through random ALU operations, joins
 * and conditional jumps, 64- and 32-bit, each set beside its abstract value. Every concrete result must be a
 * member of the abstract one, and an edge the refinement calls impossible must have no concrete value taking
 * it. Then the precision the kernel has and the signed-only state lacked: facts that cross from 32 to 64 bits
 * and from unsigned to signed.
 */
class ScalarBoundsSoundnessTest {
    private static final int[] ALU_OPERATIONS = {ALU_ADD, ALU_SUB, ALU_MUL, ALU_OR, ALU_AND, ALU_XOR, ALU_LSH, ALU_RSH, ALU_ARSH, ALU_NEG, ALU_MOV, ALU_DIV, ALU_MOD};
    private static final int[] JUMPS = {JMP_JEQ, JMP_JNE, JMP_JGT, JMP_JGE, JMP_JLT, JMP_JLE, JMP_JSGT, JMP_JSGE, JMP_JSLT, JMP_JSLE, JMP_JSET};
    private static final long[] EDGES = {0, 1L << 31, 1L << 32, Long.MIN_VALUE, 0xffff_ffffL, 1L << 16};

    private final Arithmetic arithmetic = new Arithmetic(p -> {
    });

    /**
     * One register: numbers it may hold on the path followed (at most 48 of them, a sample once products grow:
     * each must still be a member), and what the analysis says of them.
     */
    private record Tracked(List<Long> values, Value abstractValue) {
        Tracked {
            List<Long> distinct = new ArrayList<>(new LinkedHashSet<>(values));
            if (distinct.size() > 48) {
                Collections.shuffle(distinct, new Random(distinct.size()));
                distinct = distinct.subList(0, 48);
            }
            values = distinct;
        }
    }

    @Test
    void everyConcreteResultIsAMemberOfTheAbstractResult() {
        Random random = new Random(20261129);
        for (int trial = 0; trial < 4000; trial++) {
            Tracked a = fresh(random);
            Tracked b = fresh(random);
            for (int step = 0; step < 10 && a != null; step++) {
                int choice = random.nextInt(10);
                if (choice < 5) {
                    a = alu(random, a, random.nextInt(4) == 0 ? constant(edgeValue(random)) : b);
                } else if (choice < 9) {
                    Tracked[] edge = branch(random, a, random.nextInt(3) == 0 ? constant(edgeValue(random)) : b);
                    a = edge[0];
                    b = edge[1];
                } else {
                    a = join(random, a, fresh(random));
                }
                if (random.nextInt(4) == 0) {
                    Tracked swap = a;
                    a = b;
                    b = swap;
                }
            }
        }
    }

    @Test
    void aThirtyTwoBitComparisonBoundsTheWholeRegisterWhenItsUpperHalfIsKnownZero() {
        // An unknown u32 (upper half 0) below 10 as a 32-bit number is below 10 as a 64-bit one.
        Scalar lower = (Scalar) BranchRefinement.refine(jump(CLASS_JMP32, JMP_JLT, false), Value.U32, 10L, true);
        assertEquals(0, lower.min());
        assertEquals(9, lower.max());
        assertEquals(9, lower.umax());
    }

    @Test
    void aThirtyTwoBitComparisonOfAFullRegisterBoundsItsLowHalfForAThirtyTwoBitMove() {
        Scalar compared = (Scalar) BranchRefinement.refine(jump(CLASS_JMP32, JMP_JLT, false), Value.UNKNOWN, 10L, true);
        assertEquals(Long.MIN_VALUE, compared.min(), "the upper half is still unknown");
        assertEquals(9, compared.umax32());
        Scalar moved = (Scalar) arithmetic.alu(CLASS_ALU | ALU_MOV | SRC_X, 0, 0, Value.UNKNOWN, compared);
        assertEquals(0, moved.min());
        assertEquals(9, moved.max());
    }

    @Test
    void anUnsignedComparisonNarrowsTheSignedBounds() {
        // x in [-5, 5], taken x <u 100: the negative ones are huge unsigned numbers, so only [0, 5] is left.
        Scalar x = Value.range(-5, 5);
        Scalar taken = (Scalar) BranchRefinement.refine(jump(CLASS_JMP, JMP_JLT, false), x, 100L, true);
        assertEquals(0, taken.min());
        assertEquals(5, taken.max());
        Scalar notTaken = (Scalar) BranchRefinement.refine(jump(CLASS_JMP, JMP_JLT, false), x, 100L, false);
        assertEquals(-5, notTaken.min());
        assertEquals(-1, notTaken.max());
    }

    @Test
    void unsignedBoundsKeepWhatTheSignedRangeCannotSay() {
        // x >=u 5 with x unknown: as signed numbers still every value from MIN to MAX, but 0..4 are excluded.
        Scalar x = (Scalar) BranchRefinement.refine(jump(CLASS_JMP, JMP_JGE, false), Value.UNKNOWN, 5L, true);
        assertEquals(Long.MIN_VALUE, x.min());
        assertEquals(5, x.umin());
        assertNull(BranchRefinement.refine(jump(CLASS_JMP, JMP_JEQ, false), x, 3L, true), "x == 3 cannot hold");
        Scalar plusOne = (Scalar) arithmetic.alu(CLASS_ALU64 | ALU_ADD | SRC_K, 0, 1, x, Value.constant(1));
        assertEquals(0, plusOne.umin(), "x + 1 may wrap to 0");
        Scalar minusFive = (Scalar) arithmetic.alu(CLASS_ALU64 | ALU_SUB | SRC_K, 0, 5, x, Value.constant(5));
        assertEquals(0, minusFive.umin());
        assertEquals(-6L, minusFive.umax(), "x - 5 cannot reach the largest unsigned numbers");
    }

    @Test
    void aThirtyTwoBitAddKeepsSignedBoundsAcrossZero() {
        // w = [-5, 5] as s32, plus 10: [5, 15], which the unsigned view alone cannot tell.
        Scalar w = (Scalar) BranchRefinement.refine(jump(CLASS_JMP32, JMP_JSLE, false),
                        (Scalar) BranchRefinement.refine(jump(CLASS_JMP32, JMP_JSGE, false), Value.U32, -5L, true), 5L, true);
        assertEquals(-5, w.min32());
        assertEquals(5, w.max32());
        Scalar sum = (Scalar) arithmetic.alu(CLASS_ALU | ALU_ADD | SRC_K, 0, 10, w, Value.constant(10));
        assertEquals(5, sum.min());
        assertEquals(15, sum.max());
    }

    @Test
    void theLogPrintsEveryBoundTheKernelPrints() {
        StateLog log = new StateLog(null);
        assertEquals("scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))", log.describe(Value.range(0, 255)));
        assertEquals("scalar(smin=smin32=-128,smax=smax32=127)", log.describe(Value.range(-128, 127)));
        Scalar x = (Scalar) BranchRefinement.refine(jump(CLASS_JMP, JMP_JGE, false), Value.UNKNOWN, 5L, true);
        assertEquals("scalar(umin=5)", log.describe(x));
    }

    private static Instruction jump(int jumpClass, int operation, boolean register) {
        return Instruction.of(jumpClass | operation | (register ? SRC_X : SRC_K), 1, 2, 0, 0);
    }

    private static Tracked fresh(Random random) {
        List<Long> values = new ArrayList<>();
        int count = 1 + random.nextInt(5);
        long base = edgeValue(random);
        for (int i = 0; i < count; i++) {
            values.add(random.nextBoolean() ? base + random.nextInt(9) - 4 : edgeValue(random));
        }
        Value abstractValue = Value.constant(values.get(0));
        for (long v : values) {
            abstractValue = Value.join(abstractValue, Value.constant(v), false);
        }
        Tracked t = new Tracked(values, abstractValue);
        check(t, "fresh");
        return t;
    }

    private static Tracked constant(long k) {
        return new Tracked(List.of(k), Value.constant(k));
    }

    private static long edgeValue(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt(41) - 20;
            case 1 -> random.nextLong();
            default -> EDGES[random.nextInt(EDGES.length)] + random.nextInt(9) - 4;
        };
    }

    private Tracked alu(Random random, Tracked d, Tracked s) {
        boolean is64 = random.nextBoolean();
        int operation = ALU_OPERATIONS[random.nextInt(ALU_OPERATIONS.length)];
        int opcode = (is64 ? CLASS_ALU64 : CLASS_ALU) | operation | SRC_X;
        if (operation == ALU_LSH || operation == ALU_RSH || operation == ALU_ARSH) {
            s = constant(random.nextInt(is64 ? 64 : 32));
        }
        List<Long> results = new ArrayList<>();
        for (long x : d.values()) {
            for (long y : s.values()) {
                if (operation == ALU_MOV) {
                    results.add(is64 ? y : y & 0xffff_ffffL);
                } else {
                    results.add(is64 ? Arithmetic.exact64(operation, 0, x, y) : Arithmetic.exact32(operation, 0, (int) x, (int) y));
                }
            }
        }
        Tracked t = new Tracked(results, arithmetic.alu(opcode, 0, 0, d.abstractValue(), s.abstractValue()));
        check(t, (is64 ? "alu64 " : "alu32 ") + Integer.toHexString(operation) + " of " + d + " and " + s);
        return t;
    }

    /** Follows one edge of a random jump (the one some value takes), checking both. */
    private static Tracked[] branch(Random random, Tracked d, Tracked s) {
        boolean is32 = random.nextBoolean();
        int operation = JUMPS[random.nextInt(JUMPS.length)];
        Instruction insn = jump(is32 ? CLASS_JMP32 : CLASS_JMP, operation, true);
        Tracked[] chosen = null;
        for (int edge = 0; edge < 2; edge++) {
            boolean taken = edge == 0;
            List<Long> dValues = new ArrayList<>();
            List<Long> sValues = new ArrayList<>();
            for (long x : d.values()) {
                for (long y : s.values()) {
                    if (holds(operation, is32, x, y) == taken) {
                        dValues.add(x);
                        sValues.add(y);
                    }
                }
            }
            Value[] refined = refineLikeTheInterpreter(insn, d.abstractValue(), s.abstractValue(), taken);
            String what = (is32 ? "jmp32 " : "jmp ") + Integer.toHexString(operation) + (taken ? " taken" : " not taken") + " of " + d + " and " + s;
            if (refined == null) {
                assertTrue(dValues.isEmpty(), what + " was called impossible, but " + dValues + " / " + sValues + " take it");
                continue;
            }
            Tracked td = new Tracked(dValues, refined[0]);
            Tracked ts = new Tracked(sValues, refined[1]);
            check(td, what + " (dst)");
            check(ts, what + " (src)");
            if (!dValues.isEmpty() && (chosen == null || random.nextBoolean())) {
                chosen = new Tracked[] {td, ts};
            }
        }
        assertNotNull(chosen, "some edge is taken by the values");
        return chosen;
    }

    /** As {@code AbstractInterpreter.branch} combines the refinements of a register comparison. */
    private static Value[] refineLikeTheInterpreter(Instruction insn, Value dst, Value src, boolean taken) {
        Long constant = BranchRefinement.comparedConstant(insn, src);
        Value dstValue = BranchRefinement.refine(insn, dst, constant, taken);
        Value srcValue = BranchRefinement.refineSource(insn, src, dst, taken);
        if (dst instanceof Scalar a && !a.isConstant() && src instanceof Scalar b && !b.isConstant()) {
            Value[] pair = BranchRefinement.refinePair(insn, a, b, taken);
            if (pair == null) {
                return null;
            }
            dstValue = pair[0];
            srcValue = pair[1];
        }
        return dstValue == null || srcValue == null ? null : new Value[] {dstValue, srcValue};
    }

    private static Tracked join(Random random, Tracked a, Tracked b) {
        List<Long> values = new ArrayList<>(a.values());
        values.addAll(b.values());
        Tracked t = new Tracked(values, Value.join(a.abstractValue(), b.abstractValue(), random.nextBoolean()));
        check(t, "join of " + a + " and " + b);
        return t;
    }

    private static void check(Tracked t, String what) {
        if (!(t.abstractValue() instanceof Scalar s)) {
            fail(what + ": not a scalar: " + t.abstractValue());
            return;
        }
        for (long v : t.values()) {
            if (!s.contains(v)) {
                fail(what + ": " + v + " (0x" + Long.toHexString(v) + ") is not a member of " + s);
            }
        }
    }

    private static boolean holds(int operation, boolean is32, long a, long b) {
        if (is32) {
            a = (int) a;
            b = (int) b;
        }
        long ua = is32 ? a & 0xffff_ffffL : a;
        long ub = is32 ? b & 0xffff_ffffL : b;
        return switch (operation) {
            case JMP_JEQ -> a == b;
            case JMP_JNE -> a != b;
            case JMP_JGT -> Long.compareUnsigned(ua, ub) > 0;
            case JMP_JGE -> Long.compareUnsigned(ua, ub) >= 0;
            case JMP_JLT -> Long.compareUnsigned(ua, ub) < 0;
            case JMP_JLE -> Long.compareUnsigned(ua, ub) <= 0;
            case JMP_JSGT -> a > b;
            case JMP_JSGE -> a >= b;
            case JMP_JSLT -> a < b;
            case JMP_JSLE -> a <= b;
            case JMP_JSET -> (ua & ub) != 0;
            default -> throw new IllegalArgumentException("not a jump: " + operation);
        };
    }
}
