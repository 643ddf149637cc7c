package org.trufflebpf.jit.x64;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The BPF stack memory of the native frames below a helper call, so that a runtime checking a helper's pointer
 * arguments can accept pointers into the program's stack: the calling function's [rbp - stack, rbp), then each
 * caller's frame above its callee's saved rbp and return address, up to the entry frame. Checked code records
 * the calling function's rbp and stack size before every helper call.
 */
public final class NativeStackFrames {
    private NativeStackFrames() {
    }

    /** (start, length) of each BPF frame of the native run in progress on this thread; empty outside a helper call. */
    public static List<long[]> duringHelperCall() {
        List<long[]> frames = new ArrayList<>();
        RunContext context = RunContext.current();
        if (context == null || context.helperCallerRbp() == 0) {
            return frames;
        }
        long entryRbp = context.savedRsp() - 16;
        long rbp = context.helperCallerRbp();
        long bottom = rbp - context.helperCallerStack();
        for (int depth = 0; depth <= BpfToX86.MAX_FRAMES; depth++) {
            if (rbp > bottom) {
                frames.add(new long[] {bottom, rbp - bottom});
            }
            if (rbp == entryRbp) {
                break;
            }
            bottom = rbp + 16;
            rbp = MemorySegment.ofAddress(rbp).reinterpret(8).get(JAVA_LONG, 0);
        }
        return frames;
    }
}
