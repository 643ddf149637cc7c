package org.trufflebpf.verifier;

/**
 * What the dataflow analysis knows about one register (or spilled stack slot) at one program point.
 * The lattice, from most to least precise: a constant, a signed range, an unknown scalar; a pointer into the
 * current function's stack frame with an offset range; the address of one map; and {@link Uninit}, a value
 * that may not be read because some path to here never wrote it.
 */
sealed interface Value permits Value.Uninit, Value.Scalar, Value.StackPointer, Value.MapPointer {

    /** Why a register is not readable; the message of a rejected read names it. */
    enum UninitCause {
        NEVER_WRITTEN("is read before it is written on every path"),
        CLOBBERED_BY_CALL("is read after a call clobbered it (calls clobber r1-r5) on some path"),
        NOT_RETURNED("is read after a call to a function that does not set r0 on every path"),
        AFTER_TAIL_CALL("is read after bpf_tail_call without being written (r0 is undefined after a tail call that falls through)");

        final String description;

        UninitCause(String description) {
            this.description = description;
        }
    }

    /** A value some path never wrote. */
    record Uninit(UninitCause cause) implements Value {
    }

    /**
     * A number (or a pointer the verifier does not track, such as the context or a map value) within
     * {@code [min, max]} as signed 64-bit values.
     */
    record Scalar(long min, long max) implements Value {
        boolean isConstant() {
            return min == max;
        }

        boolean isUnknown() {
            return min == Long.MIN_VALUE && max == Long.MAX_VALUE;
        }

        boolean nonNegative() {
            return min >= 0;
        }
    }

    /**
     * A pointer into a stack frame: {@code base + offset} with {@code offset} in {@code [minOffset, maxOffset]}.
     * Base 0 is r10 of the current function; base 1..5 is whatever stack pointer the caller passed in that
     * argument register (so a callee's accesses through it can be checked against the caller's frame). An end
     * at {@link Long#MIN_VALUE} or {@link Long#MAX_VALUE} means unbounded on that side.
     */
    record StackPointer(int base, long minOffset, long maxOffset) implements Value {
        StackPointer(long minOffset, long maxOffset) {
            this(0, minOffset, maxOffset);
        }

        boolean bounded() {
            return minOffset != Long.MIN_VALUE && maxOffset != Long.MAX_VALUE;
        }

        /** Into this function's own frame (r10-based). */
        boolean ownFrame() {
            return base == 0;
        }

        StackPointer unbounded() {
            return new StackPointer(base, Long.MIN_VALUE, Long.MAX_VALUE);
        }
    }

    /**
     * The address of map {@code mapIndex}, as {@code lddw dst, map:NAME} loads it; -1 when it is one of several
     * maps depending on the path.
     */
    record MapPointer(int mapIndex) implements Value {
    }

    Scalar UNKNOWN = new Scalar(Long.MIN_VALUE, Long.MAX_VALUE);
    Scalar U32 = new Scalar(0, 0xffff_ffffL);
    StackPointer FRAME_POINTER = new StackPointer(0, 0);

    static Scalar constant(long value) {
        return new Scalar(value, value);
    }

    static Scalar range(long min, long max) {
        return new Scalar(min, max);
    }

    default boolean readable() {
        return !(this instanceof Uninit);
    }

    /**
     * The least value covering both; with {@code widen}, a bound of {@code older} that {@code newer} exceeds
     * goes straight to infinity, so that loops reach a fixpoint.
     */
    static Value join(Value older, Value newer, boolean widen) {
        if (older.equals(newer)) {
            return older;
        }
        if (older instanceof Uninit a) {
            return newer instanceof Uninit b && b.cause().ordinal() > a.cause().ordinal() ? b : a;
        }
        if (newer instanceof Uninit) {
            return newer;
        }
        if (older instanceof Scalar a && newer instanceof Scalar b) {
            return new Scalar(lower(a.min(), b.min(), widen), upper(a.max(), b.max(), widen));
        }
        if (older instanceof StackPointer a && newer instanceof StackPointer b && a.base() == b.base()) {
            return new StackPointer(a.base(), lower(a.minOffset(), b.minOffset(), widen), upper(a.maxOffset(), b.maxOffset(), widen));
        }
        if (older instanceof MapPointer && newer instanceof MapPointer) {
            return new MapPointer(-1);
        }
        // Different kinds merge into "some value" that is no longer tracked.
        return UNKNOWN;
    }

    /** Whether {@code general} describes every value {@code specific} does, keeping pointers tracked. */
    static boolean covers(Value general, Value specific) {
        if (general.equals(specific) || general instanceof Uninit) {
            return true;
        }
        if (general instanceof Scalar g && specific instanceof Scalar s) {
            return g.min() <= s.min() && s.max() <= g.max();
        }
        if (general instanceof StackPointer g && specific instanceof StackPointer s && g.base() == s.base()) {
            return g.minOffset() <= s.minOffset() && s.maxOffset() <= g.maxOffset();
        }
        return general instanceof MapPointer g && specific instanceof MapPointer && g.mapIndex() == -1;
    }

    private static long lower(long older, long newer, boolean widen) {
        if (newer >= older) {
            return older;
        }
        return widen ? Long.MIN_VALUE : newer;
    }

    private static long upper(long older, long newer, boolean widen) {
        if (newer <= older) {
            return older;
        }
        return widen ? Long.MAX_VALUE : newer;
    }
}
