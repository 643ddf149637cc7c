package org.trufflebpf.jit.x64;

import java.util.List;
import java.util.Set;

import org.trufflebpf.model.Program;

/**
 * The laid-out machine code of one program before it is placed in memory: runtime stubs first, then the
 * functions in slot order. {@code insnStart[slot]}/{@code insnEnd[slot]} give the native range of the BPF
 * instruction at that slot (the kernel's {@code addrs[]}), -1 for the second slot of {@code lddw}; {@code slowPaths}
 * the (start, end, slot) triples of the checks' slow paths placed after each function ({@link SlowPaths}); {@code pokes}
 * are the direct tail-call sites; {@code inlinedLookups} the slots of the bpf_map_lookup_elem calls the code does
 * itself ({@link InlineArrayLookups}), which call no helper.
 */
public record NativeImage(Program program, JitOptions options, List<JitFunction> functions, byte[] code, int[] insnStart, int[] insnEnd, int[] slowPaths,
                int[] functionStart, int entryTrampoline, int passes, List<PokeDescriptor> pokes, Set<Integer> inlinedLookups) {

    /** The slot of the BPF instruction whose native code contains {@code offset}, or -1 (stubs, prologues). */
    public int slotAt(int offset) {
        for (int slot = 0; slot < insnStart.length; slot++) {
            if (insnStart[slot] >= 0 && offset >= insnStart[slot] && offset < insnEnd[slot]) {
                return slot;
            }
        }
        for (int i = 0; i < slowPaths.length; i += 3) {
            if (offset >= slowPaths[i] && offset < slowPaths[i + 1]) {
                return slowPaths[i + 2];
            }
        }
        return -1;
    }

    public JitFunction functionOf(int slot) {
        for (JitFunction f : functions) {
            if (f.contains(slot)) {
                return f;
            }
        }
        return null;
    }
}
