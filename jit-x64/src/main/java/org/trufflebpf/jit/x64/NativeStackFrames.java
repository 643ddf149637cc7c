package org.trufflebpf.jit.x64;

import org.trufflebpf.runtime.StackFrames;

/**
 * The active BPF frames of a checked native run, read back from its run block for the shared runtime: during
 * a helper call, so that the helper's pointer checks accept pointers into the program's stack, and after a
 * refused access, to describe it. Callers' frames come from the frame table that checked code fills before
 * each bpf-to-bpf call; the innermost frame is the one the helper call or the refused access recorded.
 */
final class NativeStackFrames {
    private NativeStackFrames() {
    }

    /** Sets {@code frames} to the chain below the current helper call; empty outside one or in unchecked code. */
    static void duringHelperCall(NativeRunBlock context, StackFrames frames) {
        if (context == null || context.read(NativeRunBlock.HELPER_CALLER_RBP) == 0) {
            frames.clear();
            return;
        }
        fill(context, NativeRunBlock.HELPER_CALLER_RBP, frames);
    }

    /** Sets {@code frames} to the chain at the access the check stub refused. */
    static void atFault(NativeRunBlock context, StackFrames frames) {
        fill(context, NativeRunBlock.FAULT_FRAME_TOP, frames);
    }

    /** The callers' frames from the frame table, then the innermost one from the pair at {@code innermost}. */
    private static void fill(NativeRunBlock context, int innermost, StackFrames frames) {
        int depth = (int) Math.min(context.read(NativeRunBlock.CALL_DEPTH), BpfToX86.MAX_FRAMES - 1);
        // In depth order: each enter makes its frame the deepest, so the last one sets the count.
        for (int d = 0; d < depth; d++) {
            context.enterFrame(frames, d, NativeRunBlock.frameEntry(d));
        }
        context.enterFrame(frames, depth, innermost);
    }
}
