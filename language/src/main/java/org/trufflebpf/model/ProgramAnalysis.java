package org.trufflebpf.model;

import java.util.List;
import java.util.Map;

/**
 * The verifier's results for one program, read by both engines.
 *
 * @param functions      entry function first, then the subprograms in slot order
 * @param tailCallSites  facts about each {@code bpf_tail_call} call, by slot index
 * @param maxStackDepth  the deepest call chain's stack, each frame rounded up to 32 bytes
 * @param helpers        the helper ids the program calls
 */
public record ProgramAnalysis(List<BpfFunction> functions, Map<Integer, TailCallSite> tailCallSites, int maxStackDepth, List<Integer> helpers) {

    public ProgramAnalysis {
        functions = List.copyOf(functions);
        tailCallSites = Map.copyOf(tailCallSites);
        helpers = List.copyOf(helpers);
    }

    public BpfFunction entry() {
        return functions.get(0);
    }

    /** The function that contains a slot index. */
    public BpfFunction functionAt(int slotIndex) {
        for (BpfFunction function : functions) {
            if (function.contains(slotIndex)) {
                return function;
            }
        }
        throw new IllegalArgumentException("no function contains slot " + slotIndex);
    }

    /** The function that starts at a slot index, or null. */
    public BpfFunction functionStartingAt(int slotIndex) {
        for (BpfFunction function : functions) {
            if (function.start() == slotIndex) {
                return function;
            }
        }
        return null;
    }

    public boolean anyTailCallReachable() {
        return entry().tailCallReachable();
    }
}
