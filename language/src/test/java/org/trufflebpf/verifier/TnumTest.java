package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.LongBinaryOperator;

import org.junit.jupiter.api.Test;

/**
 * Every tnum operation against brute force: tnums whose known and unknown bits lie at four positions (bits 0, 1,
 * 2 and the sign bit 63, so that carries, borrows and sign fills are exercised), all 81 of them, every pair, every
 * pair of members. A result must hold the operation's value for every pair of members (soundness); for add, and,
 * or and xor it must be the tightest tnum that does (as the kernel's rules are).
 */
class TnumTest {
    private static final int[] BITS = {0, 1, 2, 63};
    private static final List<Tnum> ALL = all();

    private static List<Tnum> all() {
        List<Tnum> tnums = new ArrayList<>();
        int count = 1;
        for (int i = 0; i < BITS.length; i++) {
            count *= 3;
        }
        for (int code = 0; code < count; code++) {
            long value = 0;
            long mask = 0;
            int c = code;
            for (int bit : BITS) {
                switch (c % 3) {
                    case 1 -> value |= 1L << bit;
                    case 2 -> mask |= 1L << bit;
                    default -> {
                    }
                }
                c /= 3;
            }
            tnums.add(new Tnum(value, mask));
        }
        return tnums;
    }

    private static List<Long> members(Tnum t) {
        List<Long> members = new ArrayList<>();
        long mask = t.mask();
        // Every subset of the unknown bits.
        long subset = 0;
        do {
            members.add(t.value() | subset);
            subset = (subset - mask) & mask;
        } while (subset != 0);
        return members;
    }

    /** The tightest tnum holding every value given. */
    private static Tnum tightest(List<Long> values) {
        long allOnes = -1L;
        long anyOnes = 0;
        for (long v : values) {
            allOnes &= v;
            anyOnes |= v;
        }
        return new Tnum(allOnes, anyOnes & ~allOnes);
    }

    private static void check(String name, BinaryOperator<Tnum> abstractOp, LongBinaryOperator concrete, boolean tightest) {
        for (Tnum a : ALL) {
            for (Tnum b : ALL) {
                Tnum result = abstractOp.apply(a, b);
                List<Long> results = new ArrayList<>();
                for (long x : members(a)) {
                    for (long y : members(b)) {
                        long r = concrete.applyAsLong(x, y);
                        results.add(r);
                        if (!result.contains(r)) {
                            throw new AssertionError(name + " " + a + " " + b + " = " + result + " misses " + Long.toHexString(x) + " op "
                                            + Long.toHexString(y) + " = " + Long.toHexString(r));
                        }
                    }
                }
                if (tightest) {
                    assertEquals(tightest(results), result, () -> name + " " + a + " " + b);
                }
            }
        }
    }

    @Test
    void addSubAndOrXorHoldEveryResultAndAddAndOrXorAreTheTightest() {
        check("add", Tnum::add, Long::sum, true);
        check("sub", Tnum::sub, (x, y) -> x - y, false);
        check("and", Tnum::and, (x, y) -> x & y, true);
        check("or", Tnum::or, (x, y) -> x | y, true);
        check("xor", Tnum::xor, (x, y) -> x ^ y, true);
    }

    @Test
    void mulHoldsEveryProduct() {
        check("mul", Tnum::mul, (x, y) -> x * y, false);
    }

    @Test
    void intersectionHoldsEveryValueBothHold() {
        for (Tnum a : ALL) {
            for (Tnum b : ALL) {
                Tnum both = a.intersect(b);
                for (long x : members(a)) {
                    if (b.contains(x)) {
                        assertTrue(both.contains(x), () -> a + " " + b);
                    }
                }
            }
        }
    }

    @Test
    void shiftsMoveKnownAndUnknownBitsAndArithmeticShiftFillsWithTheSignBit() {
        for (Tnum a : ALL) {
            for (int k : new int[] {0, 1, 2, 3, 31, 32, 62, 63}) {
                for (long x : members(a)) {
                    int shift = k;
                    assertTrue(a.shiftLeft(k).contains(x << k), () -> a + " << " + shift);
                    assertTrue(a.shiftRight(k).contains(x >>> k), () -> a + " >> " + shift);
                    assertTrue(a.shiftRightArithmetic(k).contains(x >> k), () -> a + " s>> " + shift);
                }
                assertEquals(tightest(members(a).stream().map(x -> x >> 1).toList()), a.shiftRightArithmetic(1));
            }
        }
    }

    @Test
    void boundsAreAttainedByMembersSignedAndUnsigned() {
        for (Tnum a : ALL) {
            List<Long> members = members(a);
            assertEquals(members.stream().reduce((x, y) -> Long.compareUnsigned(x, y) <= 0 ? x : y).orElseThrow(), a.unsignedMin());
            assertEquals(members.stream().reduce((x, y) -> Long.compareUnsigned(x, y) >= 0 ? x : y).orElseThrow(), a.unsignedMax());
            assertEquals(members.stream().mapToLong(Long::longValue).min().orElseThrow(), a.signedMin(), a::toString);
            assertEquals(members.stream().mapToLong(Long::longValue).max().orElseThrow(), a.signedMax(), a::toString);
        }
    }

    @Test
    void rangesHoldEveryValueBetweenTheirBounds() {
        long[] edges = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -300, -17, -1, 0, 1, 2, 7, 8, 15, 16, 255, 256, Long.MAX_VALUE - 1, Long.MAX_VALUE};
        for (long min : edges) {
            for (long max : edges) {
                if (min > max) {
                    continue;
                }
                Tnum t = Tnum.signedRange(min, max);
                for (long x : new long[] {min, max, Math.max(min, Math.min(max, (min >> 1) + (max >> 1))), max > min ? max - 1 : max}) {
                    assertTrue(t.contains(x), () -> "[" + min + ", " + max + "] as " + t);
                }
                assertTrue(t.signedMin() <= min && max <= t.signedMax(), () -> "[" + min + ", " + max + "] as " + t);
            }
        }
        assertEquals(new Tnum(0x10, 0xf), Tnum.unsignedRange(0x10, 0x1f));
        assertEquals(Tnum.constant(5), Tnum.unsignedRange(5, 5));
    }
}
