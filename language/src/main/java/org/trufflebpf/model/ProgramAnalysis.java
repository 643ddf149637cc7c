package org.trufflebpf.model;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

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

    /**
     * Whether an instruction names a function: a bpf-to-bpf call, or {@code lddw func:} (a function's address,
     * as the kernel's verifier treats it). The one rule of where functions start, for the verifier and for
     * engines splitting an unverified program.
     */
    public static boolean isFunctionReference(Instruction insn) {
        return insn.isLocalCall() || insn.isWide() && insn.src() == Opcodes.PSEUDO_FUNC;
    }

    /** Slot 0 and every function reference's target that is the start of an instruction, in order. */
    public static TreeSet<Integer> functionStarts(Program program) {
        TreeSet<Integer> starts = new TreeSet<>();
        starts.add(0);
        for (Instruction insn : program.code()) {
            if (isFunctionReference(insn) && program.positionOf(insn.localCallTarget()) >= 0) {
                starts.add(insn.localCallTarget());
            }
        }
        return starts;
    }
}
