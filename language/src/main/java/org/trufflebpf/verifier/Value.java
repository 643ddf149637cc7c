package org.trufflebpf.verifier;

/**
 * What the dataflow analysis knows about one register (or spilled stack slot) at one program point.
 *
 * <p>The lattice, joins going upwards. An unknown scalar is the top of every value that may be read: where
 * a number and a pointer meet, only "some number" is left, and a number is never dereferenced. Above it all,
 * {@link Uninit}, a value that may not be read at all.
 * <pre>
 *                                Scalar [MIN, MAX]
 *            /                           |                                    \
 *   Scalar [min, max]         MemoryPointer(ANY, maybe null)                 MapPointer(-1)
 *           |                 /                   \                             |
 *   Scalar k            MemoryPointer(kind, maybe null)   StackPointer(base, [lo, hi])   MapPointer(i)
 *                       /            \                            |
 *       MemoryPointer(kind)      Scalar 0 (NULL)          StackPointer(base, k)
 * </pre>
 * <ul>
 * <li>{@link Scalar}: a number. Never dereferenceable: a load or store through it is rejected
 * ({@code R1 invalid mem access 'scalar'}), as is a scalar where a helper needs memory.</li>
 * <li>{@link StackPointer}: into this function's frame (base 0) or a caller's (base r1..r5, the argument it
 * came in), with an offset range that the verifier checks against the frame.</li>
 * <li>{@link MemoryPointer}: any other memory the program may dereference ({@link PointerKind}); its offset is
 * not tracked because the engines bound such accesses at run time.</li>
 * <li>{@link MapPointer}: the address of a map object, only to be passed to helpers.</li>
 * </ul>
 * Pointers keep their kind through 64-bit {@code mov}, adding or subtracting a scalar, and an 8-byte spill
 * and fill at an aligned stack slot. Every other operation on a pointer, including any 32-bit one, gives an
 * unknown scalar, so a pointer laundered through {@code or r1, 0} cannot be dereferenced. A join of a scalar
 * with a pointer is a scalar (constant 0, the NULL pointer, excepted: it makes the pointer "maybe null");
 * a join of two pointers of different kinds is a pointer of kind {@link PointerKind#ANY}.
 */
sealed interface Value permits Value.Uninit, Value.Scalar, Value.StackPointer, Value.MapPointer, Value.MemoryPointer {

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

    /** A number within {@code [min, max]} as signed 64-bit values; a pointer some operation made unrecognisable is one too. */
    record Scalar(long min, long max) implements Value {
        boolean isConstant() {
            return min == max;
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

    /**
     * A pointer to memory other than the stack; {@code maybeNull} for helper results not yet compared with 0
     * (kept so that a rule against dereferencing them before a NULL check can be added).
     */
    record MemoryPointer(PointerKind kind, boolean maybeNull) implements Value {
        MemoryPointer(PointerKind kind) {
            this(kind, false);
        }
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
        if (isNull(older) && newer instanceof MemoryPointer p) {
            return new MemoryPointer(p.kind(), true);
        }
        if (isNull(newer) && older instanceof MemoryPointer p) {
            return new MemoryPointer(p.kind(), true);
        }
        if (dereferenceable(older) && dereferenceable(newer)) {
            // Both are pointers: still one, of a kind the analysis no longer knows.
            boolean maybeNull = older instanceof MemoryPointer a && a.maybeNull() || newer instanceof MemoryPointer b && b.maybeNull();
            PointerKind kind = older instanceof MemoryPointer a && newer instanceof MemoryPointer b && a.kind() == b.kind() ? a.kind() : PointerKind.ANY;
            return new MemoryPointer(kind, maybeNull);
        }
        // Otherwise (a number on one path, a pointer on the other, or a map reference) only a number is left.
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
        if (general instanceof MemoryPointer g && specific instanceof MemoryPointer s) {
            return (g.kind() == s.kind() || g.kind() == PointerKind.ANY) && (g.maybeNull() || !s.maybeNull());
        }
        return general instanceof MapPointer g && specific instanceof MapPointer && g.mapIndex() == -1;
    }

    /** Whether a load or store may go through this value: a stack or memory pointer. */
    static boolean dereferenceable(Value value) {
        return value instanceof StackPointer || value instanceof MemoryPointer;
    }

    private static boolean isNull(Value value) {
        return value instanceof Scalar s && s.isConstant() && s.min() == 0;
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
