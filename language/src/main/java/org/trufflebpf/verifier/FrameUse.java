package org.trufflebpf.verifier;

import static org.trufflebpf.model.Opcodes.MAX_STACK;

import org.trufflebpf.verifier.Value.StackPointer;

/**
 * How much of its frame one function needs: the lowest r10-relative byte it accesses directly, or that a
 * pointer it lets go of (to a helper, a called function, memory, or an untracked value) might reach.
 */
final class FrameUse {
    private long lowest;

    /** The frame must hold the byte at {@code r10 + offset}. */
    void cover(long offset) {
        lowest = Math.min(lowest, Math.max(offset, -MAX_STACK));
    }

    /** A stack pointer leaves the analysis' sight: whatever it points at must lie in the frame. */
    void escape(Value value) {
        if (value instanceof StackPointer p) {
            cover(p.bounded() ? p.minOffset() : -MAX_STACK);
        }
    }

    /** Bytes of stack below r10 the function uses. */
    int depth() {
        return (int) -lowest;
    }
}
