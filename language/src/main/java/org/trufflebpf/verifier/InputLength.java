package org.trufflebpf.verifier;

import static org.trufflebpf.model.Opcodes.CLASS_JMP;
import static org.trufflebpf.model.Opcodes.JMP_JGE;
import static org.trufflebpf.model.Opcodes.JMP_JGT;
import static org.trufflebpf.model.Opcodes.JMP_JLE;
import static org.trufflebpf.model.Opcodes.JMP_JLT;
import static org.trufflebpf.model.Opcodes.instructionClass;

import org.trufflebpf.verifier.Value.MemoryPointer;
import org.trufflebpf.verifier.Value.Scalar;

/**
 * What a raw-memory program knows about its input's length L, the value of r2 at entry, so that reads of the
 * input at an index compared with the length are proven in bounds ({@code for (i = 0; i < len; i++) sum += mem[i]}).
 * The kernel has no such relation: its programs reach their packet through pointers compared with the end.
 *
 * <p>Three facts, each sound on its own:
 * <ul>
 * <li>a scalar's {@link Scalar#lengthOffset() offset} k: its value is {@code L + k} as integers (r2 at entry has
 * k = 0; adding a constant that wraps no value moves k);</li>
 * <li>a scalar's {@link Scalar#lengthSlack() slack} d: {@code value + d <= L} for its unsigned value (an offset k
 * is a slack of -k; an unsigned comparison below a register of slack d gives {@code d + 1} where strict, {@code d}
 * otherwise; adding a constant c that wraps no value gives {@code d - c});</li>
 * <li>the state's least length ({@link AbstractState#inputLengthMin()}), raised by every comparison that bounds a
 * register of known offset or slack from below; a number below it by d has slack d.</li>
 * </ul>
 * The input's start plus such a scalar is an {@link PointerKind#INPUT} pointer whose proven range is the slack,
 * as a packet pointer's range is proven by a comparison with the packet's end; a read through it is proven when
 * its offset and size fit in that range. Everything relies on r1 and r2 holding the input and its length when the
 * program starts, so a program whose reads rely on them may not be entered any other
 * way (with registers a host chose, or by a tail call, which keeps the caller's r2): the engines refuse that
 * ({@code ProgramAnalysis.provenByInputLength}).
 */
final class InputLength {
    /** No fact. */
    static final long NONE = Long.MIN_VALUE;
    /**
     * Slacks below this prove no access (instruction offsets are 16-bit), and keeping them would make every number
     * compared anywhere carry one: they are dropped.
     */
    private static final long LEAST_USEFUL = -(1L << 31);

    /**
     * The longest input: every engine takes it from a Java array or buffer, whose length is an {@code int}. Sound
     * only together with the refusal of other entries ({@code ProgramAnalysis.needsInputAtEntry}).
     */
    static final long MAX_LENGTH = Integer.MAX_VALUE;

    private InputLength() {
    }

    /** r2 at the entry of a raw-memory program: the length itself. */
    static Scalar atEntry() {
        return Value.UNKNOWN.withLengthFacts(0, NONE);
    }

    /** The greatest d with {@code v + d <= L} for every value v of {@code s}, from its slack and bounds; NONE when unknown. */
    static long slack(Scalar s, long lengthMin) {
        long d = s.lengthSlack();
        if (s.lengthOffset() != NONE) {
            // L + k is at most L - (-k).
            long fromOffset = -s.lengthOffset();
            if (d == NONE || fromOffset > d) {
                d = fromOffset;
            }
        }
        if (s.min() >= 0 && lengthMin > 0) {
            long fromBounds = lengthMin - s.max();
            if (d == NONE || fromBounds > d) {
                d = fromBounds;
            }
        }
        return d < LEAST_USEFUL ? NONE : d;
    }

    /**
     * The value a 64-bit add or sub gives, with the facts that carry over: a constant moves a scalar's offset and
     * slack when it wraps none of its values; the input's start plus a non-negative number is an input pointer
     * whose range is the number's slack.
     */
    static Value afterAddOrSub(boolean add, Value dst, Value src, Value result, long lengthMin) {
        if (dst instanceof Scalar d && src instanceof Scalar s) {
            if (s.isConstant() && (add || s.min() != Long.MIN_VALUE)) {
                return added(d, result, add ? s.min() : -s.min(), lengthMin);
            }
            if (add && d.isConstant()) {
                return added(s, result, d.min(), lengthMin);
            }
            return result;
        }
        if (!add) {
            return result;
        }
        if (dst instanceof MemoryPointer p && src instanceof Scalar s) {
            return movedInput(p, s, result, lengthMin);
        }
        if (src instanceof MemoryPointer p && dst instanceof Scalar s) {
            return movedInput(p, s, result, lengthMin);
        }
        return result;
    }

    private static Value added(Scalar before, Value result, long c, long lengthMin) {
        if (!(result instanceof Scalar r) || !addsWithoutWrapping(before, c)) {
            return result;
        }
        long offset = before.lengthOffset();
        long slack = slack(before, lengthMin);
        if (offset == NONE && slack == NONE) {
            return result;
        }
        return r.withLengthFacts(offset == NONE ? NONE : exactSum(offset, c), slack == NONE ? NONE : useful(exactSum(slack, c == Long.MIN_VALUE ? NONE : -c)));
    }

    /** Whether adding {@code c} to each unsigned value of {@code s} stays in {@code [0, 2^64)}. */
    private static boolean addsWithoutWrapping(Scalar s, long c) {
        if (c >= 0) {
            return Long.compareUnsigned(s.umax(), -1L - c) <= 0;
        }
        return c != Long.MIN_VALUE && Long.compareUnsigned(s.umin(), -c) >= 0;
    }

    /** The input's start (or an input pointer without a variable part) plus a number. */
    private static Value movedInput(MemoryPointer p, Scalar s, Value result, long lengthMin) {
        boolean start = p.kind() == PointerKind.CONTEXT;
        if (!start && p.kind() != PointerKind.INPUT) {
            return result;
        }
        if (s.isConstant()) {
            if (!start) {
                return result; // the arithmetic moved the input pointer's constant offset
            }
            // The start plus c, at offset c: with c + d <= L, the bytes before the end number c + d from the start.
            long slack = s.min() < 0 ? NONE : slack(s, lengthMin);
            long range = slack == NONE ? 0 : Math.max(0, exactSum(s.min(), slack));
            return new MemoryPointer(PointerKind.INPUT, false, MemoryPointer.NO_ID, s.min(), 0, 0, -1, range);
        }
        if (!start && (p.varMin() != 0 || p.varMax() != 0)) {
            return result;
        }
        long slack = slack(s, lengthMin);
        // A number with a slack is below the length, which no Java buffer makes longer than MAX_LENGTH: its
        // unsigned value is a small non-negative offset even where its signed bounds were widened away.
        long varMin = s.min() >= 0 ? s.min() : s.umin();
        long varMax = s.min() >= 0 ? s.max() : Long.MAX_VALUE;
        if (slack != NONE) {
            varMax = Math.min(varMax, MAX_LENGTH - slack);
        }
        if (varMin < 0 || varMax == Long.MAX_VALUE || varMax < varMin) {
            return result;
        }
        return new MemoryPointer(PointerKind.INPUT, false, MemoryPointer.NO_ID, start ? 0 : p.offset(), varMin, varMax, -1, slack == NONE ? 0 : Math.max(0, slack), s.bits());
    }

    /**
     * Facts on one edge of a conditional jump: the registers compared keep what they had (the refinement made
     * new numbers of them), and an unsigned 64-bit comparison with a register of known offset gives the other a
     * slack. Then the state's least length rises to what the registers now tell.
     */
    static void onEdge(int opcode, int dstRegister, int srcRegister, boolean registerSource, Value dstBefore, Value srcBefore, boolean taken,
                    AbstractState state) {
        long lengthMin = state.inputLengthMin();
        state.set(dstRegister, keepFacts(dstBefore, state.get(dstRegister)));
        if (registerSource && srcRegister != dstRegister) {
            state.set(srcRegister, keepFacts(srcBefore, state.get(srcRegister)));
            if (instructionClass(opcode) == CLASS_JMP) {
                int operation = opcode & 0xf0;
                // Which register is below which on this edge: {low, high, strict}.
                int low;
                boolean strict;
                switch (operation) {
                    case JMP_JLT -> { low = taken ? dstRegister : srcRegister; strict = taken; }
                    case JMP_JLE -> { low = taken ? dstRegister : srcRegister; strict = !taken; }
                    case JMP_JGT -> { low = taken ? srcRegister : dstRegister; strict = taken; }
                    case JMP_JGE -> { low = taken ? srcRegister : dstRegister; strict = !taken; }
                    default -> { low = -1; strict = false; }
                }
                if (low >= 0) {
                    int high = low == dstRegister ? srcRegister : dstRegister;
                    state.set(low, below(state.get(low), state.get(high), strict, lengthMin));
                }
            }
        }
        state.raiseInputLengthMin();
    }

    private static Value keepFacts(Value before, Value after) {
        if (before instanceof Scalar b && after instanceof Scalar a && a != b && (b.lengthOffset() != NONE || b.lengthSlack() != NONE)) {
            long slack = a.lengthSlack() == NONE ? b.lengthSlack() : b.lengthSlack() == NONE ? a.lengthSlack() : Math.max(a.lengthSlack(), b.lengthSlack());
            return a.withLengthFacts(b.lengthOffset() != NONE ? b.lengthOffset() : a.lengthOffset(), slack);
        }
        return after;
    }

    /**
     * {@code low < high} (strict) or {@code low <= high}, unsigned: where high is at most {@code L - d} (its slack, or
     * {@code L + k}), low is at most {@code L - d - 1} (strict) or {@code L - d}.
     */
    private static Value below(Value low, Value high, boolean strict, long lengthMin) {
        if (!(low instanceof Scalar l) || !(high instanceof Scalar h)) {
            return low;
        }
        long highSlack = slack(h, lengthMin);
        long d = highSlack == NONE ? NONE : useful(exactSum(strict ? 1 : 0, highSlack));
        if (d == NONE) {
            return low;
        }
        long existing = slack(l, lengthMin);
        return l.withLengthFacts(l.lengthOffset(), existing == NONE ? d : Math.max(existing, d));
    }

    /** The least length a register's facts tell: {@code L >= umin - k} and {@code L >= umin + d}. */
    static long lengthFloor(Value v) {
        if (!(v instanceof Scalar s) || s.umin() < 0) {
            return 0;
        }
        long floor = 0;
        if (s.lengthOffset() != NONE) {
            floor = Math.max(floor, exactSum(s.umin(), s.lengthOffset() == Long.MIN_VALUE ? NONE : -s.lengthOffset()));
        }
        if (s.lengthSlack() != NONE) {
            floor = Math.max(floor, exactSum(s.umin(), s.lengthSlack()));
        }
        return floor;
    }

    /** An input pointer with the range its variable part's bounds and the least length give. */
    static Value materialized(Value v, long lengthMin) {
        if (v instanceof MemoryPointer p && p.kind() == PointerKind.INPUT && p.varMin() >= 0 && p.varMax() != Long.MAX_VALUE && lengthMin - p.varMax() > p.range()) {
            return p.withRange(lengthMin - p.varMax());
        }
        return v;
    }

    /** The join of two values of states whose least lengths are given: facts both sides have, at their weaker. */
    static Value join(Value a, long lengthMinA, Value b, long lengthMinB, boolean widen) {
        Value merged = Value.join(materialized(a, lengthMinA), materialized(b, lengthMinB), widen);
        if (!(merged instanceof Scalar m) || !(a instanceof Scalar sa) || !(b instanceof Scalar sb)) {
            return merged;
        }
        long offset = sa.lengthOffset() == sb.lengthOffset() ? sa.lengthOffset() : NONE;
        long slackA = slack(sa, lengthMinA);
        long slackB = slack(sb, lengthMinB);
        long slack = slackA == NONE || slackB == NONE ? NONE : Math.min(slackA, slackB);
        if (widen && slack != NONE && slack < slackA) {
            // A loop may lower a slack by one each round: widening gives it up.
            slack = NONE;
        }
        return m.withLengthFacts(offset, slack);
    }

    /** Whether {@code general} (of a state whose least length is at most the other's) describes {@code specific}, facts included. */
    static boolean covers(Value general, Value specific, long specificLengthMin) {
        if (!Value.covers(general, materialized(specific, specificLengthMin))) {
            return false;
        }
        if (!(general instanceof Scalar g) || g.lengthOffset() == NONE && g.lengthSlack() == NONE) {
            return true;
        }
        if (!(specific instanceof Scalar s)) {
            return false;
        }
        return (g.lengthOffset() == NONE || g.lengthOffset() == s.lengthOffset()) && (g.lengthSlack() == NONE || slack(s, specificLengthMin) >= g.lengthSlack());
    }

    /** Whether a read of {@code bytes} at {@code insnOffset} through the input's start lies in the input. */
    static boolean provesStartRead(int insnOffset, int bytes, long lengthMin) {
        return insnOffset >= 0 && insnOffset + (long) bytes <= lengthMin;
    }

    /** Whether a read of {@code bytes} at {@code insnOffset} through an input pointer lies in the input. */
    static boolean provesRead(MemoryPointer p, int insnOffset, int bytes, long lengthMin) {
        if (p.varMin() < 0) {
            return false;
        }
        long offset = exactSum(p.offset(), insnOffset);
        MemoryPointer m = (MemoryPointer) materialized(p, lengthMin);
        return offset != NONE && offset >= 0 && offset <= m.range() - bytes;
    }

    private static long exactSum(long a, long b) {
        if (a == NONE || b == NONE) {
            return NONE;
        }
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException overflow) {
            return NONE;
        }
    }

    private static long useful(long slack) {
        return slack == NONE || slack < LEAST_USEFUL || slack > -LEAST_USEFUL ? NONE : slack;
    }
}
