package org.trufflebpf.verifier;

import static org.trufflebpf.model.Opcodes.MAX_STACK;

import org.trufflebpf.verifier.Value.StackPointer;

/**
 * How one function uses stack frames: the lowest byte of its own frame it needs (accessed directly, or
 * reachable through a pointer it lets go of), and for each argument register that receives a pointer into
 * the caller's frame, which offsets from that pointer it (or the functions it passes it on to) may touch.
 * The caller checks the latter against its own frame at the call.
 */
final class FrameUse {
    private long lowest;
    private final ArgumentUse[] arguments = new ArgumentUse[6];

    /** Offsets relative to a pointer the function received, {@code [lowest, end)}, and how far it lost track. */
    static final class ArgumentUse {
        long lowest = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        /** Handed to a helper: may be used from {@link #lowest} up to the caller's r10. */
        boolean upToTop;
        /** Went where the analysis cannot follow (memory, untracked arithmetic, a merge with other values). */
        boolean untracked;

        boolean accessed() {
            return lowest <= end;
        }

        void access(long from, long to) {
            lowest = Math.min(lowest, from);
            end = Math.max(end, to);
        }

        /** Adds what a callee does with the pointer, received from here at {@code [shiftMin, shiftMax]}. */
        void include(ArgumentUse callee, long shiftMin, long shiftMax) {
            if (callee.accessed()) {
                access(shiftMin + callee.lowest, shiftMax + callee.end);
            }
            if (callee.upToTop) {
                lowest = Math.min(lowest, shiftMin + Math.min(callee.lowest, 0));
                end = Math.max(end, lowest);
                upToTop = true;
            }
            untracked |= callee.untracked;
        }
    }

    /** The frame must hold the byte at {@code r10 + offset}. */
    void cover(long offset) {
        lowest = Math.min(lowest, Math.max(offset, -MAX_STACK));
    }

    /** How the pointer received in {@code register} is used (created on first use). */
    ArgumentUse argument(int register) {
        if (arguments[register] == null) {
            arguments[register] = new ArgumentUse();
        }
        return arguments[register];
    }

    /** What the function does with the pointer received in {@code register}, or null if nothing is known. */
    ArgumentUse argumentOrNull(int register) {
        return arguments[register];
    }

    /** A load or store touched {@code [from, to)} relative to the pointer's base. */
    void access(StackPointer p, long from, long to) {
        if (p.ownFrame()) {
            cover(from);
        } else {
            argument(p.base()).access(from, to);
        }
    }

    /** A stack pointer leaves the analysis' sight: whatever it points at must lie in the frame. */
    void escape(Value value) {
        if (value instanceof StackPointer p) {
            if (p.ownFrame()) {
                cover(p.bounded() ? p.minOffset() : -MAX_STACK);
            } else {
                argument(p.base()).untracked = true;
            }
        }
    }

    /** A pointer received from the caller goes to a helper, which may use it up to the caller's r10. */
    void passedToHelper(StackPointer p) {
        if (!p.bounded()) {
            argument(p.base()).untracked = true;
            return;
        }
        ArgumentUse use = argument(p.base());
        use.access(p.minOffset(), p.minOffset());
        use.upToTop = true;
    }

    /** Bytes of stack below r10 the function uses. */
    int depth() {
        return (int) -lowest;
    }
}
