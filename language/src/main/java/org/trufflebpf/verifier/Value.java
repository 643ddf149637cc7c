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
 * <li>{@link MemoryPointer}: any other memory the program may dereference ({@link PointerKind}); for map values,
 * ring-buffer records and packets with the offset, region size and proven packet range that accesses are
 * checked against.</li>
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

    /** A stack or memory pointer: what the kernel's rules on pointers apply to (a map reference is neither). */
    static boolean isPointer(Value v) {
        return v instanceof StackPointer || v instanceof MemoryPointer;
    }

    /**
     * A number, described as the kernel describes one: signed ({@code min..max}) and unsigned ({@code umin..umax},
     * compared as unsigned) 64-bit bounds, the same two for the low 32 bits ({@code min32..max32} inside the
     * {@code int} range, {@code umin32..umax32} in {@code [0, 2^32)}), and a tristate number {@code bits}. A
     * pointer some operation made unrecognisable is one too. Every scalar is built as the kernel's
     * {@code reg_bounds_sync} leaves a register ({@link ScalarBounds#sync}): each description narrowed by the
     * others, so no two disagree on what they can tell. Bounds that leave no value (an edge no value takes) are
     * kept as given; branch refinement asks {@link ScalarBounds#toScalar} instead, which reports them.
     */
    final class Scalar implements Value {
        private final long min;
        private final long max;
        private final long umin;
        private final long umax;
        private final long min32;
        private final long max32;
        private final long umin32;
        private final long umax32;
        private final Tnum bits;
        /**
         * Raw-memory programs only ({@link InputLength}): the value is {@code L + lengthOffset} as integers, where L is
         * the input's length (r2 at entry); {@link InputLength#NONE} when not known.
         */
        private final long lengthOffset;
        /** Raw-memory programs only: {@code value + lengthSlack <= L} as unsigned integers; {@link InputLength#NONE} when not known. */
        private final long lengthSlack;

        /** The given bounds, synced ({@code bits} null: no bit known). */
        Scalar(long min, long max, long umin, long umax, long min32, long max32, long umin32, long umax32, Tnum bits) {
            this(synced(new ScalarBounds(min, max, umin, umax, min32, max32, umin32, umax32, bits == null ? Tnum.UNKNOWN : bits)));
        }

        /** Bounds {@link ScalarBounds#sync} has already synced, or that are left as given because they are empty. */
        Scalar(ScalarBounds b) {
            this.min = b.smin;
            this.max = b.smax;
            this.umin = b.umin;
            this.umax = b.umax;
            this.min32 = b.smin32;
            this.max32 = b.smax32;
            this.umin32 = b.umin32;
            this.umax32 = b.umax32;
            this.bits = b.bits;
            this.lengthOffset = InputLength.NONE;
            this.lengthSlack = InputLength.NONE;
        }

        private Scalar(Scalar s, long lengthOffset, long lengthSlack) {
            this.min = s.min;
            this.max = s.max;
            this.umin = s.umin;
            this.umax = s.umax;
            this.min32 = s.min32;
            this.max32 = s.max32;
            this.umin32 = s.umin32;
            this.umax32 = s.umax32;
            this.bits = s.bits;
            this.lengthOffset = lengthOffset;
            this.lengthSlack = lengthSlack;
        }

        /** The same number with these facts about the input's length ({@link InputLength#NONE}: none). */
        Scalar withLengthFacts(long offset, long slack) {
            return offset == lengthOffset && slack == lengthSlack ? this : new Scalar(this, offset, slack);
        }

        long lengthOffset() {
            return lengthOffset;
        }

        long lengthSlack() {
            return lengthSlack;
        }

        private static ScalarBounds synced(ScalarBounds given) {
            if (given.smin == given.smax && given.bits.contains(given.smin) && given.isFresh()) {
                // A constant: every description is the number itself (the commonest scalar, kept cheap).
                long k = given.smin;
                return new ScalarBounds(k, k, k, k, (int) k, (int) k, k & ScalarBounds.U32_MAX, k & ScalarBounds.U32_MAX, Tnum.constant(k));
            }
            ScalarBounds b = given.copy();
            return b.sync() ? b : given;
        }

        long min() {
            return min;
        }

        long max() {
            return max;
        }

        long umin() {
            return umin;
        }

        long umax() {
            return umax;
        }

        long min32() {
            return min32;
        }

        long max32() {
            return max32;
        }

        long umin32() {
            return umin32;
        }

        long umax32() {
            return umax32;
        }

        Tnum bits() {
            return bits;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Scalar s && min == s.min && max == s.max && umin == s.umin && umax == s.umax && min32 == s.min32 && max32 == s.max32
                            && umin32 == s.umin32 && umax32 == s.umax32 && bits.equals(s.bits) && lengthOffset == s.lengthOffset && lengthSlack == s.lengthSlack;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(min) * 31 + Long.hashCode(max) * 17 + Long.hashCode(umin ^ umax) * 7 + Long.hashCode(min32 ^ max32 ^ umin32 ^ umax32) + bits.hashCode()
                            + Long.hashCode(lengthOffset * 3 + lengthSlack);
        }

        @Override
        public String toString() {
            return "Scalar[min=" + min + ", max=" + max + ", umin=" + umin + ", umax=" + umax + ", min32=" + min32 + ", max32=" + max32 + ", umin32=" + umin32
                            + ", umax32=" + umax32 + ", bits=" + bits + (lengthOffset == InputLength.NONE ? "" : ", L+" + lengthOffset)
                            + (lengthSlack == InputLength.NONE ? "" : ", slack=" + lengthSlack) + "]";
        }

        /** What is known from a signed 64-bit range and a tnum ({@code null}: none) alone. */
        Scalar(long min, long max, Tnum bits) {
            this(min, max, 0, -1L, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, ScalarBounds.U32_MAX, bits);
        }

        Scalar(long min, long max) {
            this(min, max, null);
        }

        boolean isConstant() {
            return min == max;
        }

        boolean nonNegative() {
            return min >= 0;
        }

        /** Whether {@code k} is one of the values: inside every bound and matching the known bits. */
        boolean contains(long k) {
            long low = k & ScalarBounds.U32_MAX;
            return min <= k && k <= max && Long.compareUnsigned(umin, k) <= 0 && Long.compareUnsigned(k, umax) <= 0 && min32 <= (int) k
                            && (int) k <= max32 && umin32 <= low && low <= umax32 && bits.contains(k);
        }

        /** The value of {@code w = w} (a 32-bit move): the low half, zero-extended. */
        Scalar zeroExtended() {
            Scalar low = ScalarBounds.zeroExtended(min32, max32, umin32, umax32, bits).toScalar();
            return low == null ? Value.U32 : low;
        }
    }

    /**
     * A pointer into a stack frame: {@code base + offset} with {@code offset} in {@code [minOffset, maxOffset]},
     * whose bits {@code bits} describes (the kernel's {@code var_off} plus its fixed {@code off}: what the
     * alignment of a variable-offset access is checked against), kept in step with the range as for a
     * {@link Scalar}. Base 0 is r10 of the current function; base 1..5 is whatever stack pointer the caller
     * passed in that argument register (so a callee's accesses through it can be checked against the caller's
     * frame). An end at {@link Long#MIN_VALUE} or {@link Long#MAX_VALUE} means unbounded on that side.
     */
    record StackPointer(int base, long minOffset, long maxOffset, Tnum bits) implements Value {
        public StackPointer {
            Scalar synced = new Scalar(minOffset, maxOffset, bits);
            if (minOffset != Long.MIN_VALUE || maxOffset != Long.MAX_VALUE) {
                minOffset = synced.min();
                maxOffset = synced.max();
            }
            bits = synced.bits();
        }

        StackPointer(int base, long minOffset, long maxOffset) {
            this(base, minOffset, maxOffset, null);
        }

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
     * maps depending on the path. With {@code inner}, an inner map of map of maps {@code mapIndex}, of its
     * template's type and sizes: a lookup in a map of maps gives one, maybe NULL (the kernel's
     * {@code map_value_or_null}) until a NULL check of it or a copy of it (same {@code id}, the index + 1 of the
     * call) proves it is not, when it becomes a map reference ({@code map_ptr}) usable with the map helpers.
     * {@code ofMaps}: a map of maps (which of several, for -1), so that a lookup in it gives an inner map.
     */
    record MapPointer(int mapIndex, boolean inner, boolean maybeNull, int id, boolean ofMaps) implements Value {
        MapPointer(int mapIndex) {
            this(mapIndex, false, false, MemoryPointer.NO_ID, false);
        }

        /** A map object as {@code lddw map:} loads it. */
        static MapPointer loaded(int mapIndex, boolean ofMaps) {
            return new MapPointer(mapIndex, false, false, MemoryPointer.NO_ID, ofMaps);
        }

        /** The same inner map, proven non-NULL. */
        MapPointer notNull() {
            return new MapPointer(mapIndex, inner, false, MemoryPointer.NO_ID, false);
        }

        MapPointer withId(int newId) {
            return new MapPointer(mapIndex, inner, maybeNull, newId, ofMaps);
        }
    }

    /**
     * A pointer to memory other than the stack. Its offset is tracked only for the kinds whose accesses the
     * verifier proves in bounds ({@link PointerKind#tracksOffset}); for the others offset, variable part, size
     * and range stay 0 (or unknown).
     *
     * @param kind      what it points into
     * @param maybeNull a helper result not yet compared with 0: for map values and records it may be neither
     *                  dereferenced nor moved until {@code jeq/jne r, 0} proves it non-NULL
     * @param id        which other registers and stack slots hold the same pointer, {@link #NO_ID} for none
     *                  known. A maybe-NULL result carries the index + 1 of the call that returned it, so that a
     *                  NULL check of one copy settles all of them. A packet pointer carries the variable part
     *                  of its offset: 0 for none (the packet's start plus a constant), else the index + 1 of
     *                  the {@code add} that made it; a comparison with the end proves the range for every
     *                  pointer of that id. Ids name instructions (not fresh counters) so that a loop's states
     *                  repeat; when an instruction gives its id anew, older holders lose it.
     * @param offset    the constant part of the offset from the region's start
     * @param varMin    least value of the variable part of the offset ({@link Long#MIN_VALUE}: unbounded)
     * @param varMax    greatest value of the variable part ({@link Long#MAX_VALUE}: unbounded)
     * @param size      the region's size in bytes (a map's value size, a record's reserved size), -1 when unknown
     * @param range     packet pointers: bytes from the start plus the variable part proven to lie before the
     *                  packet's end (data or, for metadata, the packet's start)
     * @param varBits   the variable part's bits (the kernel's {@code var_off} of a pointer): what the alignment
     *                  of a variable-offset access is checked against in strict mode
     */
    record MemoryPointer(PointerKind kind, boolean maybeNull, int id, long offset, long varMin, long varMax, long size, long range, Tnum varBits)
                    implements Value {
        /** Related to no other register. */
        static final int NO_ID = -1;

        public MemoryPointer {
            Tnum fromRange = Tnum.signedRange(varMin, varMax);
            varBits = varBits == null ? fromRange : varBits.agrees(fromRange) ? varBits.intersect(fromRange) : varBits;
        }

        /** Variable part's bits as its range tells them. */
        MemoryPointer(PointerKind kind, boolean maybeNull, int id, long offset, long varMin, long varMax, long size, long range) {
            this(kind, maybeNull, id, offset, varMin, varMax, size, range, null);
        }

        MemoryPointer(PointerKind kind) {
            this(kind, false);
        }

        MemoryPointer(PointerKind kind, boolean maybeNull) {
            this(kind, maybeNull, kind.isPacket() ? 0 : NO_ID, 0, 0, 0, -1, 0);
        }

        /** A pointer to the start of a region of known size: a map value, a ring-buffer record. */
        static MemoryPointer region(PointerKind kind, boolean maybeNull, int id, long offset, long size) {
            return new MemoryPointer(kind, maybeNull, id, offset, 0, 0, size, 0);
        }

        MemoryPointer withId(int newId) {
            return new MemoryPointer(kind, maybeNull, newId, offset, varMin, varMax, size, range, varBits);
        }

        MemoryPointer withRange(long newRange) {
            return new MemoryPointer(kind, maybeNull, id, offset, varMin, varMax, size, newRange, varBits);
        }

        /** The same pointer proven non-NULL: no longer tied to its copies by the NULL check. */
        MemoryPointer notNull() {
            return new MemoryPointer(kind, false, kind.isPacket() ? id : NO_ID, offset, varMin, varMax, size, range, varBits);
        }

        /**
         * As another function sees it: related to nothing there, except that the packet's start plus a
         * constant is the same in every function.
         */
        MemoryPointer detached() {
            return id == NO_ID || kind.isPacket() && id == 0 && !maybeNull ? this : withId(NO_ID);
        }

        boolean variableBounded() {
            return varMin != Long.MIN_VALUE && varMax != Long.MAX_VALUE;
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
            return joinScalars(a, b, widen);
        }
        if (older instanceof StackPointer a && newer instanceof StackPointer b && a.base() == b.base()) {
            long min = lower(a.minOffset(), b.minOffset(), widen);
            long max = upper(a.maxOffset(), b.maxOffset(), widen);
            return new StackPointer(a.base(), min, max, joinBits(a.bits(), b.bits(), widen && (min != a.minOffset() || max != a.maxOffset())));
        }
        if (older instanceof MapPointer a && newer instanceof MapPointer b) {
            // Which map is no longer known (the engines check it at run time), but a maybe-NULL one stays maybe NULL.
            return new MapPointer(-1, false, a.maybeNull() || b.maybeNull(), a.id() == b.id() ? a.id() : MemoryPointer.NO_ID, a.ofMaps() && b.ofMaps());
        }
        if (isNull(older) && newer instanceof MemoryPointer p) {
            return new MemoryPointer(p.kind(), true);
        }
        if (isNull(newer) && older instanceof MemoryPointer p) {
            return new MemoryPointer(p.kind(), true);
        }
        if (older instanceof MemoryPointer a && newer instanceof MemoryPointer b) {
            return joinMemory(a, b, widen);
        }
        if (dereferenceable(older) && dereferenceable(newer)) {
            // A stack pointer and another pointer: still one, of a kind the analysis no longer knows.
            boolean maybeNull = older instanceof MemoryPointer a && a.maybeNull() || newer instanceof MemoryPointer b && b.maybeNull();
            return new MemoryPointer(PointerKind.ANY, maybeNull);
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
            return g.min() <= s.min() && s.max() <= g.max() && Long.compareUnsigned(g.umin(), s.umin()) <= 0 && Long.compareUnsigned(s.umax(), g.umax()) <= 0
                            && g.min32() <= s.min32() && s.max32() <= g.max32() && g.umin32() <= s.umin32() && s.umax32() <= g.umax32() && g.bits().includes(s.bits());
        }
        if (general instanceof StackPointer g && specific instanceof StackPointer s && g.base() == s.base()) {
            return g.minOffset() <= s.minOffset() && s.maxOffset() <= g.maxOffset() && g.bits().includes(s.bits());
        }
        if (general instanceof MemoryPointer g && specific instanceof MemoryPointer s) {
            return coversMemory(g, s);
        }
        return general instanceof MapPointer g && specific instanceof MapPointer m && g.mapIndex() == -1 && (g.maybeNull() || !m.maybeNull())
                        && (g.id() == m.id() || !m.maybeNull()) && (!g.ofMaps() || m.ofMaps());
    }

    /**
     * Every bound of the two, each on its own; with {@code widen}, a bound that grew goes to its end of its domain
     * (and the bits are dropped), so a loop settles after at most one round per bound.
     */
    private static Scalar joinScalars(Scalar a, Scalar b, boolean widen) {
        long min = lower(a.min(), b.min(), widen);
        long max = upper(a.max(), b.max(), widen);
        long umin = Long.compareUnsigned(b.umin(), a.umin()) >= 0 ? a.umin() : widen ? 0 : b.umin();
        long umax = Long.compareUnsigned(b.umax(), a.umax()) <= 0 ? a.umax() : widen ? -1L : b.umax();
        long min32 = b.min32() >= a.min32() ? a.min32() : widen ? Integer.MIN_VALUE : b.min32();
        long max32 = b.max32() <= a.max32() ? a.max32() : widen ? Integer.MAX_VALUE : b.max32();
        long umin32 = b.umin32() >= a.umin32() ? a.umin32() : widen ? 0 : b.umin32();
        long umax32 = b.umax32() <= a.umax32() ? a.umax32() : widen ? ScalarBounds.U32_MAX : b.umax32();
        boolean widened = widen && (min != a.min() || max != a.max() || umin != a.umin() || umax != a.umax() || min32 != a.min32() || max32 != a.max32()
                        || umin32 != a.umin32() || umax32 != a.umax32());
        return new Scalar(min, max, umin, umax, min32, max32, umin32, umax32, joinBits(a.bits(), b.bits(), widened));
    }

    /**
     * Two memory pointers of one kind stay that kind, with offsets covering both: where the constant parts
     * differ, the difference moves into the variable part (and the id, which stands for that part, is lost).
     */
    private static MemoryPointer joinMemory(MemoryPointer a, MemoryPointer b, boolean widen) {
        boolean maybeNull = a.maybeNull() || b.maybeNull();
        if (a.kind() != b.kind()) {
            return new MemoryPointer(PointerKind.ANY, maybeNull);
        }
        int id = a.id() == b.id() ? a.id() : MemoryPointer.NO_ID;
        long size = a.size() == b.size() ? a.size() : a.size() < 0 || b.size() < 0 ? -1 : Math.min(a.size(), b.size());
        if (a.offset() == b.offset()) {
            long varMin = lower(a.varMin(), b.varMin(), widen);
            long varMax = upper(a.varMax(), b.varMax(), widen);
            Tnum bits = joinBits(a.varBits(), b.varBits(), widen && (varMin != a.varMin() || varMax != a.varMax()));
            long range = Math.min(a.range(), b.range());
            if (widen && a.kind() == PointerKind.INPUT && range < a.range()) {
                // An input range comes from the length's slack, which a loop may lower by one each round.
                range = 0;
            }
            return new MemoryPointer(a.kind(), maybeNull, id, a.offset(), varMin, varMax, size, range, bits);
        }
        long base = Math.min(a.offset(), b.offset());
        long shiftA = a.offset() - base;
        long shiftB = b.offset() - base;
        long varMin = lower(shifted(a.varMin(), shiftA), shifted(b.varMin(), shiftB), widen);
        long varMax = upper(shifted(a.varMax(), shiftA), shifted(b.varMax(), shiftB), widen);
        long range = widen && a.kind() == PointerKind.INPUT ? 0 : Math.max(0, Math.min(a.range() - shiftA, b.range() - shiftB));
        boolean widened = widen && (varMin != shifted(a.varMin(), shiftA) || varMax != shifted(a.varMax(), shiftA));
        Tnum bits = joinBits(a.varBits().add(Tnum.constant(shiftA)), b.varBits().add(Tnum.constant(shiftB)), widened);
        return new MemoryPointer(a.kind(), maybeNull, MemoryPointer.NO_ID, base, varMin, varMax, size, range, bits);
    }

    /**
     * The bits of a join: those known alike on both sides. When widening has just sent a bound to infinity the
     * bits are dropped too (the range's own tnum is left), or the tnum would pull the bound back each round
     * and a loop would take up to 64 rounds to settle.
     */
    private static Tnum joinBits(Tnum a, Tnum b, boolean widened) {
        return widened ? null : a.union(b);
    }

    /** A bound moved up by a non-negative shift; an unbounded end stays unbounded. */
    private static long shifted(long bound, long shift) {
        if (bound == Long.MIN_VALUE || bound == Long.MAX_VALUE) {
            return bound;
        }
        try {
            return Math.addExact(bound, shift);
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Whether {@code g} describes every pointer {@code s} does, and allows no access that {@code s} would
     * refuse: the same kind (or an unknown kind), NULL only where {@code s} may be, the same id (or none), the
     * same size, the same constant offset, a wider variable part and no more proven range.
     */
    private static boolean coversMemory(MemoryPointer g, MemoryPointer s) {
        if (!g.maybeNull() && s.maybeNull()) {
            return false;
        }
        if (g.kind() == PointerKind.ANY) {
            return true;
        }
        return g.kind() == s.kind() && (g.id() == MemoryPointer.NO_ID || g.id() == s.id()) && g.size() == s.size() && g.offset() == s.offset()
                        && g.varMin() <= s.varMin() && s.varMax() <= g.varMax() && g.range() <= s.range() && g.varBits().includes(s.varBits());
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
