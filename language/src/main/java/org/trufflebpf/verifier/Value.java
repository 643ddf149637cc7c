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
     * {@code r10 + offset} of the current function's frame, with {@code offset} in {@code [minOffset, maxOffset]};
     * an end at {@link Long#MIN_VALUE} or {@link Long#MAX_VALUE} means unbounded on that side.
     */
    record StackPointer(long minOffset, long maxOffset) implements Value {
        boolean bounded() {
            return minOffset != Long.MIN_VALUE && maxOffset != Long.MAX_VALUE;
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
        if (older instanceof StackPointer a && newer instanceof StackPointer b) {
            return new StackPointer(lower(a.minOffset(), b.minOffset(), widen), upper(a.maxOffset(), b.maxOffset(), widen));
        }
        if (older instanceof MapPointer && newer instanceof MapPointer) {
            return new MapPointer(-1);
        }
        // Different kinds merge into "some value" that is no longer tracked.
        return UNKNOWN;
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
