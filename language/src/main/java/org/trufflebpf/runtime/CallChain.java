package org.trufflebpf.runtime;

import java.util.function.Supplier;

/**
 * The BPF call chain at a helper call, as bpf_get_stackid and bpf_get_stack see "the stack": the instruction
 * index of the helper call, then the index of each bpf-to-bpf call it sits under, innermost first. A tail call
 * replaces its caller's place in the chain, as it replaces its frame in the kernel. The interpreter notes each
 * call's site at its depth as it makes the call; the native engine reads its machine stack instead, through
 * the walker it installs for the run.
 */
public final class CallChain {
    private final int[] sites;
    private int depth;
    private Supplier<long[]> walker;

    public CallChain(int capacity) {
        sites = new int[capacity];
    }

    /** The interpreter makes a call (helper or bpf-to-bpf) at {@code index}, in the function at {@code depth}. */
    public void note(int depth, int index) {
        sites[depth] = index;
        this.depth = depth;
    }

    /** A new run: no calls noted, and the interpreter's notes are the chain unless an engine installs a walker. */
    void reset() {
        depth = 0;
        walker = null;
    }

    /** How the native engine reads the chain during its helper calls. */
    public void useWalker(Supplier<long[]> chainWalker) {
        this.walker = chainWalker;
    }

    /** The chain at the current helper call, innermost first. */
    public long[] ips() {
        if (walker != null) {
            return walker.get();
        }
        long[] ips = new long[depth + 1];
        for (int d = depth; d >= 0; d--) {
            ips[depth - d] = sites[d];
        }
        return ips;
    }
}
