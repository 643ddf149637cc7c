package org.trufflebpf.runtime;

import org.trufflebpf.model.BpfFunction;
import org.trufflebpf.model.Opcodes;
import org.trufflebpf.model.Program;

/**
 * The BPF stack a run may touch: one frame per active function of the call chain, frame {@code d} being
 * {@code [top(d) - size(d), top(d))}, where {@code top} is that function's r10 and {@code size} its
 * {@linkplain #frameSize frame size}. Both engines allow a stack access through any register only when it lies
 * wholly inside one active frame, so nothing around a frame (the native engine's saved registers, return
 * addresses, the JVM's machine stack, another frame's unused tail) is ever reachable, whatever the verifier
 * believed about the pointer.
 *
 * <p>Where frames lie relative to each other is each engine's own layout; the interpreter leaves at least
 * {@link #MIN_GAP} unreachable bytes between frames, as the native engine's saved rbp and return address do,
 * so a pointer reaching up to that far outside its frame stops alike on both engines.
 */
public final class StackFrames {
    /** Unreachable bytes any two frames are at least apart, in both engines' layouts. */
    public static final int MIN_GAP = 16;

    private final long[] tops;
    private final int[] sizes;
    private int count;

    public StackFrames(int capacity) {
        tops = new long[capacity];
        sizes = new int[capacity];
    }

    /**
     * Bytes of stack a function may use below its r10: its rounded stack depth when the verifier computed it,
     * else the full {@link Opcodes#MAX_STACK} (an unverified program may touch any of it).
     */
    public static int frameSize(Program program, int functionStart) {
        if (program.isVerified()) {
            BpfFunction function = program.analysis().functionStartingAt(functionStart);
            if (function != null) {
                return function.roundedStackDepth();
            }
        }
        return Opcodes.MAX_STACK;
    }

    /** Frame {@code depth} is now {@code [top - size, top)}; deeper frames are no longer active. */
    public void enter(int depth, long top, int size) {
        tops[depth] = top;
        sizes[depth] = size;
        count = depth + 1;
    }

    /** Back in frame {@code depth} after a call returned: the callee's frames are gone. */
    public void resume(int depth) {
        count = depth + 1;
    }

    /** No frames: outside a helper call the native engine's stack is checked by native code alone. */
    public void clear() {
        count = 0;
    }

    /** Whether {@code [address, address + length)} lies wholly inside one active frame. */
    public boolean allows(long address, long length) {
        for (int d = count - 1; d >= 0; d--) {
            if (MemoryRegion.contains(tops[d] - sizes[d], sizes[d], address, length)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why an access near the stack is refused. Below the current function's r10 the offset from it is given (a
     * pointer derived from that r10 reads the same on both engines); anywhere else around the frames the
     * distance to a frame depends on each engine's layout, so only the fact is stated. Null when the address is
     * nowhere near the stack.
     */
    public String describe(long address, long length, boolean write) {
        if (count == 0) {
            return null;
        }
        int current = count - 1;
        String access = (write ? "write" : "read") + " of " + length + " bytes";
        if (address < tops[current] && address >= tops[current] - sizes[current] - Opcodes.MAX_STACK) {
            return String.format("%s at r10%d is outside the stack frame of %d bytes", access, address - tops[current], sizes[current]);
        }
        if (address >= tops[current] && address < tops[0] + Opcodes.MAX_STACK) {
            // Above r10: where the callers' frames lie depends on each engine's layout, so no offset is given.
            return access + " above r10 is outside every stack frame";
        }
        return null;
    }
}
