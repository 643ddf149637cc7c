package org.trufflebpf.verifier;

/**
 * A tristate number, as the kernel's verifier keeps one per scalar: each bit of a 64-bit value is known 0, known
 * 1 or unknown. Bits set in {@code mask} are unknown; the others are those of {@code value} (a bit is never set in
 * both). The operations give a tnum holding every result of the operation on members of the operands (the
 * kernel's tnum rules); {@link TnumTest} checks that against brute force over small widths.
 *
 * @param value the known-1 bits
 * @param mask  the unknown bits
 */
record Tnum(long value, long mask) {
    static final Tnum UNKNOWN = new Tnum(0, -1L);

    Tnum {
        value &= ~mask;
    }

    static Tnum constant(long value) {
        return new Tnum(value, 0);
    }

    /**
     * The values {@code min..max} (unsigned): the bits above the highest bit where min and max differ are known,
     * the rest unknown.
     */
    static Tnum unsignedRange(long min, long max) {
        long differ = min ^ max;
        if (differ == 0) {
            return constant(min);
        }
        int highest = 63 - Long.numberOfLeadingZeros(differ);
        long low = highest == 63 ? -1L : (1L << (highest + 1)) - 1;
        return new Tnum(min & ~low, low);
    }

    /** The values {@code min..max} (signed): a range that does not cross 0 keeps its unsigned order. */
    static Tnum signedRange(long min, long max) {
        if (min < 0 && max >= 0) {
            return UNKNOWN;
        }
        return unsignedRange(min, max);
    }

    boolean isConstant() {
        return mask == 0;
    }

    boolean contains(long x) {
        return (x & ~mask) == value;
    }

    /** The smallest and largest member as unsigned numbers. */
    long unsignedMin() {
        return value;
    }

    long unsignedMax() {
        return value | mask;
    }

    /** The smallest member as a signed number: with the sign bit set if it may be. */
    long signedMin() {
        return mask < 0 ? value | Long.MIN_VALUE : value;
    }

    /** The largest member as a signed number: with the sign bit clear if it may be. */
    long signedMax() {
        return mask < 0 ? (value | mask) & Long.MAX_VALUE : value | mask;
    }

    Tnum add(Tnum b) {
        long sumMask = mask + b.mask;
        long sumValue = value + b.value;
        // Bits where adding the unknown bits at their maximum changes the sum may carry either way.
        long carries = (sumMask + sumValue) ^ sumValue;
        long unknown = carries | mask | b.mask;
        return new Tnum(sumValue & ~unknown, unknown);
    }

    Tnum sub(Tnum b) {
        long difference = value - b.value;
        // The two extremes: the minuend's unknown bits all set, the subtrahend's all set.
        long borrows = (difference + mask) ^ (difference - b.mask);
        long unknown = borrows | mask | b.mask;
        return new Tnum(difference & ~unknown, unknown);
    }

    Tnum and(Tnum b) {
        long ones = value & b.value;
        return new Tnum(ones, (value | mask) & (b.value | b.mask) & ~ones);
    }

    Tnum or(Tnum b) {
        long ones = value | b.value;
        return new Tnum(ones, (mask | b.mask) & ~ones);
    }

    Tnum xor(Tnum b) {
        long unknown = mask | b.mask;
        return new Tnum((value ^ b.value) & ~unknown, unknown);
    }

    Tnum shiftLeft(int k) {
        return new Tnum(value << k, mask << k);
    }

    Tnum shiftRight(int k) {
        return new Tnum(value >>> k, mask >>> k);
    }

    /** Arithmetic shift of the 64-bit value: the sign bit (known or not) fills in from the left. */
    Tnum shiftRightArithmetic(int k) {
        return new Tnum(value >> k, mask >> k);
    }

    /**
     * Long multiplication bit by bit of this: for a known 1, the other operand's unknown bits add uncertainty at
     * that position; for an unknown bit, all its possibly-set bits do. The known product is added last.
     */
    Tnum mul(Tnum b) {
        long knownProduct = value * b.value;
        Tnum uncertainty = constant(0);
        Tnum a = this;
        while (a.value != 0 || a.mask != 0) {
            if ((a.value & 1) != 0) {
                uncertainty = uncertainty.add(new Tnum(0, b.mask));
            } else if ((a.mask & 1) != 0) {
                uncertainty = uncertainty.add(new Tnum(0, b.value | b.mask));
            }
            a = a.shiftRight(1);
            b = b.shiftLeft(1);
        }
        return constant(knownProduct).add(uncertainty);
    }

    /** The members of either: a bit stays known only where both know it alike. */
    Tnum union(Tnum b) {
        long unknown = mask | b.mask | (value ^ b.value);
        return new Tnum(value & ~unknown, unknown);
    }

    /** Whether every member of {@code b} is one of this (the kernel's {@code tnum_in}). */
    boolean includes(Tnum b) {
        return (b.mask & ~mask) == 0 && (b.value & ~mask) == value;
    }

    /** Whether some number is a member of both: no bit known to one as 0 and to the other as 1. */
    boolean agrees(Tnum b) {
        return ((value ^ b.value) & ~mask & ~b.mask) == 0;
    }

    /** Whether every member is a multiple of {@code size} (a power of two): its low bits are known 0. */
    boolean alignedTo(long size) {
        return ((value | mask) & (size - 1)) == 0;
    }

    /** The members of both (both must describe the same value). */
    Tnum intersect(Tnum b) {
        long ones = value | b.value;
        return new Tnum(ones, mask & b.mask);
    }

    /** Kernel notation, as in its logs: {@code (0x0; 0xff)}. */
    @Override
    public String toString() {
        return "(0x" + Long.toHexString(value) + "; 0x" + Long.toHexString(mask) + ")";
    }
}
