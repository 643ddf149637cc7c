package org.trufflebpf.verifier;

import org.trufflebpf.verifier.Value.Scalar;

/**
 * The eight bounds and the tnum of one scalar while they are being narrowed: signed and unsigned, 64- and 32-bit
 * (the low half of the register), as the kernel's {@code bpf_reg_state} keeps them. {@link #sync} is the kernel's
 * {@code reg_bounds_sync}: each description narrows the others, so that a fact learned in one (a 32-bit
 * comparison, a known bit) reaches all. Unsigned bounds are held in {@code long}s and compared as unsigned;
 * 32-bit ones are {@code long}s inside the {@code int} range (signed) or {@code [0, 2^32)} (unsigned).
 *
 * <p>Every step only removes values that no other description allows, so a bound crossing its partner means no
 * value is left: the edge being refined cannot be taken ({@link #toScalar} gives null), as the kernel's 6.18
 * verifier treats a branch whose refinement breaks the bounds' invariants as dead.
 */
final class ScalarBounds {
    static final long U32_MAX = 0xffff_ffffL;
    private static final long LOW = 0xffff_ffffL;

    long smin;
    long smax;
    long umin;
    long umax;
    long smin32;
    long smax32;
    long umin32;
    long umax32;
    Tnum bits;

    ScalarBounds(long smin, long smax, long umin, long umax, long smin32, long smax32, long umin32, long umax32, Tnum bits) {
        this.smin = smin;
        this.smax = smax;
        this.umin = umin;
        this.umax = umax;
        this.smin32 = smin32;
        this.smax32 = smax32;
        this.umin32 = umin32;
        this.umax32 = umax32;
        this.bits = bits;
    }

    ScalarBounds(Scalar s) {
        this(s.min(), s.max(), s.umin(), s.umax(), s.min32(), s.max32(), s.umin32(), s.umax32(), s.bits());
    }

    /** Nothing known but the signed 64-bit range {@code [min, max]} and {@code bits} (null: none). */
    static ScalarBounds signed64(long min, long max, Tnum bits) {
        return new ScalarBounds(min, max, 0, -1L, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, U32_MAX, bits == null ? Tnum.UNKNOWN : bits);
    }

    /**
     * The zero-extension of a 32-bit result whose low half lies in the given 32-bit bounds with {@code low} as
     * its tnum (upper bits ignored): what every 32-bit ALU instruction writes.
     */
    static ScalarBounds zeroExtended(long smin32, long smax32, long umin32, long umax32, Tnum low) {
        Tnum bits = new Tnum(low.value() & LOW, low.mask() & LOW);
        return new ScalarBounds(umin32, umax32, umin32, umax32, smin32, smax32, umin32, umax32, bits);
    }

    /** The scalar these bounds describe after {@link #sync}, or null when no value satisfies them all. */
    Scalar toScalar() {
        if (!sync()) {
            return null;
        }
        return new Scalar(this);
    }

    ScalarBounds copy() {
        return new ScalarBounds(smin, smax, umin, umax, smin32, smax32, umin32, umax32, bits);
    }

    /** Makes these bounds and bits the same as {@code other}'s. */
    void setTo(ScalarBounds other) {
        smin = other.smin;
        smax = other.smax;
        umin = other.umin;
        umax = other.umax;
        smin32 = other.smin32;
        smax32 = other.smax32;
        umin32 = other.umin32;
        umax32 = other.umax32;
        bits = other.bits;
    }

    /** Whether only the signed 64-bit bounds and the bits say anything (the others at their domains' ends). */
    boolean isFresh() {
        return umin == 0 && umax == -1L && smin32 == Integer.MIN_VALUE && smax32 == Integer.MAX_VALUE && umin32 == 0 && umax32 == U32_MAX;
    }

    /**
     * The kernel's {@code reg_bounds_sync}: bounds from the tnum, each bound from the others (twice, as a fact may
     * take two steps to cross from 32 to 64 bits and from signed to unsigned), the tnum from the unsigned bounds,
     * and the bounds once more from the narrowed tnum. False when the bounds cross (no value is left), leaving the
     * fields half-narrowed.
     */
    boolean sync() {
        if (!consistent()) {
            return false;
        }
        updateFromBits();
        if (!consistent()) {
            return false;
        }
        for (int round = 0; round < 2; round++) {
            deduce32();
            if (!consistent()) {
                return false;
            }
            deduce64();
            if (!consistent()) {
                return false;
            }
            deduceMixed();
            if (!consistent()) {
                return false;
            }
        }
        Tnum range64 = Tnum.unsignedRange(umin, umax);
        if (!bits.agrees(range64)) {
            return false;
        }
        Tnum narrowed64 = bits.intersect(range64);
        Tnum low = subreg(narrowed64);
        Tnum range32 = Tnum.unsignedRange(umin32, umax32);
        if (!low.agrees(range32)) {
            return false;
        }
        bits = withLow(narrowed64, low.intersect(range32));
        updateFromBits();
        return consistent();
    }

    boolean consistent() {
        return smin <= smax && Long.compareUnsigned(umin, umax) <= 0 && smin32 <= smax32 && umin32 <= umax32;
    }

    /** The kernel's {@code __update_reg_bounds}: every bound no looser than the tnum's extremes. */
    private void updateFromBits() {
        smin = Math.max(smin, bits.signedMin());
        smax = Math.min(smax, bits.signedMax());
        umin = maxUnsigned(umin, bits.unsignedMin());
        umax = minUnsigned(umax, bits.unsignedMax());
        Tnum low = subreg(bits);
        smin32 = Math.max(smin32, (int) (low.value() | (low.mask() & 0x8000_0000L)));
        smax32 = Math.min(smax32, (int) (low.value() | (low.mask() & 0x7fff_ffffL)));
        umin32 = Math.max(umin32, low.value());
        umax32 = Math.min(umax32, low.value() | low.mask());
    }

    /** The kernel's {@code __reg32_deduce_bounds}: the low half's bounds from the 64-bit ones and from each other. */
    private void deduce32() {
        if (umin >>> 32 == umax >>> 32) {
            // The upper halves agree, so the low halves keep the 64-bit order.
            umin32 = Math.max(umin32, umin & LOW);
            umax32 = Math.min(umax32, umax & LOW);
            if ((int) umin <= (int) umax) {
                smin32 = Math.max(smin32, (int) umin);
                smax32 = Math.min(smax32, (int) umax);
            }
        }
        if (smin >> 32 == smax >> 32) {
            if ((smin & LOW) <= (smax & LOW)) {
                umin32 = Math.max(umin32, smin & LOW);
                umax32 = Math.min(umax32, smax & LOW);
            }
            if ((int) smin <= (int) smax) {
                smin32 = Math.max(smin32, (int) smin);
                smax32 = Math.min(smax32, (int) smax);
            }
        }
        // Upper halves H and H + 1 with the low half running from negative through 0: still one s32 range.
        if ((int) ((umin >>> 32) + 1) == (int) (umax >>> 32) && (int) umin < 0 && (int) umax >= 0) {
            smin32 = Math.max(smin32, (int) umin);
            smax32 = Math.min(smax32, (int) umax);
        }
        if ((int) ((smin >> 32) + 1) == (int) (smax >> 32) && (int) smin < 0 && (int) smax >= 0) {
            smin32 = Math.max(smin32, (int) smin);
            smax32 = Math.min(smax32, (int) smax);
        }
        if ((int) umin32 <= (int) umax32) {
            // Both ends on one side of the sign bit: the same range read as signed.
            smin32 = Math.max(smin32, (int) umin32);
            smax32 = Math.min(smax32, (int) umax32);
        }
        if ((smin32 & LOW) <= (smax32 & LOW)) {
            umin32 = Math.max(umin32, smin32 & LOW);
            umax32 = Math.min(umax32, smax32 & LOW);
        }
    }

    /** The kernel's {@code __reg64_deduce_bounds}: signed and unsigned 64-bit bounds from each other. */
    private void deduce64() {
        if (umin <= umax) {
            // Read as signed, the unsigned range does not wrap.
            smin = Math.max(smin, umin);
            smax = Math.min(smax, umax);
        }
        if (Long.compareUnsigned(smin, smax) <= 0) {
            umin = maxUnsigned(umin, smin);
            umax = minUnsigned(umax, smax);
        } else if (Long.compareUnsigned(umax, smin) < 0) {
            // The signed range crosses 0 but the unsigned one ends before its negative part: only [0, smax] is left.
            smin = umin;
            umax = minUnsigned(umax, smax);
        } else if (Long.compareUnsigned(smax, umin) < 0) {
            // ... or it starts after the non-negative part: only [smin, -1] is left.
            smax = umax;
            umin = maxUnsigned(umin, smin);
        }
    }

    /** The kernel's {@code __reg_deduce_mixed_bounds}: 64-bit bounds from the low half's. */
    private void deduceMixed() {
        umin = maxUnsigned(umin, (umin & ~LOW) | umin32);
        umax = minUnsigned(umax, (umax & ~LOW) | umax32);
        smin = Math.max(smin, (smin & ~LOW) | umin32);
        smax = Math.min(smax, (smax & ~LOW) | umax32);
        if (smin32 >= 0 && smin >= Integer.MIN_VALUE && smax <= Integer.MAX_VALUE) {
            // A 64-bit value inside the s32 range is its low half sign-extended, here non-negative.
            smin = Math.max(smin, smin32);
            smax = Math.min(smax, smax32);
            umin = smin;
            umax = smax;
            Tnum range = Tnum.unsignedRange(smin, smax);
            if (bits.agrees(range)) {
                bits = bits.intersect(range);
            } else {
                smin = 1;
                smax = 0;
            }
        }
    }

    /** {@code bits} with its low half replaced by {@code low}'s (the kernel's {@code tnum_with_subreg}). */
    static Tnum withLow(Tnum bits, Tnum low) {
        return new Tnum((bits.value() & ~LOW) | (low.value() & LOW), (bits.mask() & ~LOW) | (low.mask() & LOW));
    }

    static Tnum subreg(Tnum t) {
        return new Tnum(t.value() & LOW, t.mask() & LOW);
    }

    static long maxUnsigned(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    static long minUnsigned(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0 ? a : b;
    }
}
