package org.trufflebpf.jit.x64;

import java.util.ArrayList;
import java.util.List;

/**
 * The rarely taken side of a function's checks (budget exhausted, cancel flag set, an access outside the hot
 * region, a failed helper, the call depth or stack limit reached, entry from another module), placed after the
 * function's code: the check itself ends in a forward jcc that is not taken on the hot path, so straight-line BPF
 * code stays straight-line machine code, with no jump over an inline slow path at every block. Each slow path
 * belongs to the BPF instruction whose check branched to it, so a stub called from it reports that instruction.
 */
final class SlowPaths {
    /** What a slow path does once reached; it ends in a stub that does not return, or jumps back itself. */
    interface Body {
        void emit(X86Assembler asm);
    }

    private record Pending(int slot, int patchPosition, int resume, Body body) {
    }

    private final List<Pending> pending = new ArrayList<>();
    /** (start, end, slot) of every slow path emitted so far, as offsets into the code. */
    private final List<int[]> ranges = new ArrayList<>();

    /**
     * Emits {@code jcc rel32} to a slow path of {@code slot} that runs {@code body} and, if {@code resumes}, jumps
     * back to just after the jcc.
     */
    void branchTo(X86Assembler asm, int cc, int slot, Body body, boolean resumes) {
        asm.jccRel32(cc, 0);
        int patchPosition = asm.position() - 4;
        pending.add(new Pending(slot, patchPosition, resumes ? asm.position() : -1, body));
    }

    /** Places the slow paths branched to since the last call here, at the current position. */
    void emitPending(X86Assembler asm) {
        for (Pending path : pending) {
            int start = asm.position();
            asm.patch32(path.patchPosition(), start - (path.patchPosition() + 4));
            path.body().emit(asm);
            if (path.resume() >= 0) {
                asm.jmpTo(path.resume());
            }
            ranges.add(new int[] {start, asm.position(), path.slot()});
        }
        pending.clear();
    }

    /** The ranges as a flat array of (start, end, slot) triples, for {@link NativeImage#slotAt}. */
    int[] ranges() {
        int[] flat = new int[ranges.size() * 3];
        for (int i = 0; i < ranges.size(); i++) {
            System.arraycopy(ranges.get(i), 0, flat, 3 * i, 3);
        }
        return flat;
    }
}
