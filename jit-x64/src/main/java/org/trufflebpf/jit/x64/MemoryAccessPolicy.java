package org.trufflebpf.jit.x64;

/**
 * Decides, for checked native code, about accesses outside the BPF stacks and the regions a run was started
 * with, for example memory that a helper made accessible during the run. Called from native code through an
 * upcall; it must not throw.
 */
@FunctionalInterface
public interface MemoryAccessPolicy {
    boolean allows(long address, long size, boolean write);

    /**
     * Why an access is refused, for the error message, given the run context of the refused access (its
     * frames, for accesses near the stack); null for the engine's own wording.
     */
    default String describe(long address, long size, boolean write, RunContext context) {
        return null;
    }

    /**
     * Changes whenever the regions change during a run (xdp_adjust_head moves the packet): after each helper
     * call the run's native region table is rebuilt from {@link #regions()} when this moved, so that it never
     * allows memory the run may no longer touch.
     */
    default long regionsVersion() {
        return 0;
    }

    /** The regions now, as (start, byte length, writable 0/1) triples; null when the policy does not track them. */
    default java.util.List<long[]> regions() {
        return null;
    }
}
