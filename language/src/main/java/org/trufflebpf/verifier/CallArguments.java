package org.trufflebpf.verifier;

import org.trufflebpf.verifier.Value.MemoryPointer;
import org.trufflebpf.verifier.Value.Scalar;
import org.trufflebpf.verifier.Value.StackPointer;

/**
 * What the {@code call local} sites of one function pass in r1-r5, joined over the sites the first
 * (callers-first) exploration reaches, and from that the function's registers at entry:
 * <ul>
 * <li>a stack pointer at some site: a pointer into the caller's frame ({@code StackPointer(base r)}), which
 * each caller then checks against its frame, unless another site passes a number there;</li>
 * <li>memory pointers of one kind at every site: that kind; of several kinds: {@link PointerKind#ANY};
 * a pointer at some sites and NULL (constant 0) at others: the pointer, maybe null;</li>
 * <li>numbers at every site: the range covering them all (clang folds call-site constants into a callee's
 * bounds checks, and the kernel, which verifies a static function with each call site's registers, accepts
 * that);</li>
 * <li>a number at some site and a pointer at another (or a map reference, or an unwritten register): an
 * unknown scalar, so that a callee cannot dereference what one of its callers passed as a number.</li>
 * </ul>
 * A function whose address is taken is called back by a helper that may pass anything, so its arguments are
 * pointers of unknown kind unless a call site passes a stack pointer. So are those of a function no explored
 * call reaches (its only calls sit on branches the known constants rule out): it never runs, so any
 * assumption is sound, and the kernel, which verifies a static function only where it is called, accepts it.
 * What such a function passes on is recorded all the same (its callees must know which arguments point into
 * its frame), but the kinds are assumptions there too ({@link #kindsKnown}).
 */
final class CallArguments {
    private final boolean[] stack = new boolean[6];
    /** Per register, the join of what sites pass other than stack pointers; null when nothing else. */
    private final Value[] others = new Value[6];
    private boolean reached;
    /** Whether some site lies in a function whose own argument kinds are assumed rather than known. */
    private boolean fromAssumedKinds;

    /** A call passes {@code passed[1..5]}; {@code callerKindsKnown}: whether the caller's own argument kinds are known. */
    void add(Value[] passed, boolean callerKindsKnown) {
        reached = true;
        fromAssumedKinds |= !callerKindsKnown;
        for (int r = 1; r <= 5; r++) {
            Value v = passed[r];
            if (v instanceof StackPointer) {
                stack[r] = true;
                continue;
            }
            Value summary = v instanceof MemoryPointer || v instanceof Scalar ? v : Value.UNKNOWN;
            others[r] = others[r] == null ? summary : Value.join(others[r], summary, false);
        }
    }

    /** The value of {@code register} (1-5) when the function starts. */
    Value atEntry(int register, boolean calledBack) {
        Value other = others[register];
        if (stack[register]) {
            boolean pointerEverywhere = other == null || other instanceof MemoryPointer || isNull(other);
            return pointerEverywhere ? new StackPointer(register, 0, 0) : Value.UNKNOWN;
        }
        if (calledBack || !reached) {
            return new MemoryPointer(PointerKind.ANY, true);
        }
        if (other instanceof Scalar range) {
            return range;
        }
        return other instanceof MemoryPointer p ? p.detached() : Value.UNKNOWN;
    }

    /** Whether an explored call reaches the function, so that its arguments have the kinds callers pass. */
    /** Whether the kinds at entry are those callers pass: reached, and only from callers whose kinds are known. */
    boolean kindsKnown() {
        return reached && !fromAssumedKinds;
    }

    private static boolean isNull(Value v) {
        return v instanceof Scalar s && s.isConstant() && s.min() == 0;
    }
}
