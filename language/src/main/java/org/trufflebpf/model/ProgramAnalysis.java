package org.trufflebpf.model;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The verifier's results for one program, read by both engines.
 *
 * @param functions      entry function first, then the subprograms in slot order
 * @param tailCallSites  facts about each {@code bpf_tail_call} call, by slot index
 * @param maxStackDepth  the deepest call chain's stack, each frame rounded up to 32 bytes
 * @param helpers        the helper ids the program calls
 * @param contextFieldLoads the instruction indexes of the 4-byte loads of a context pointer field
 *                       ({@code data}, {@code data_end}, {@code data_meta}) through the context, in any
 *                       function: the loads the engines rewrite into loads of the real pointers
 * @param provenAccesses the instruction indexes of the loads, stores and atomics that the verifier proved to
 *                       stay inside their region on every path: the own stack frame, a map value of known size,
 *                       the packet range its comparisons with the end established, or a context field read
 *                       within the context struct. An engine may drop its run-time check for exactly these.
 * @param unwrittenStackReads the instruction indexes of the loads that may read bytes of their own stack frame
 *                       that no path wrote (allowed as for the kernel's privileged loader): they read 0, so an
 *                       engine must clear the frame of a function holding one when the function enters it
 * @param provenByInputLength the proven accesses among {@code provenAccesses} whose proof relies on r1 and r2
 *                       holding a raw-memory program's input and its length when the program starts (reads at
 *                       an index compared with the length): an engine must not start such a program any other
 *                       way, with registers a host chose or by a tail call
 * @param stackPointersChecked whether some load, store or atomic the verifier did not prove goes through a pointer
 *                       that may point into a stack frame (a pointer into a caller's frame, one of unbounded
 *                       offset, or one of a kind that joined states left unknown): its run-time check must know
 *                       the run's active frames. False only for verified programs whose run-time checks never
 *                       meet a stack pointer (helper calls, which may take one, are each engine's to see).
 */
public record ProgramAnalysis(List<BpfFunction> functions, Map<Integer, TailCallSite> tailCallSites, int maxStackDepth, List<Integer> helpers,
                Set<Integer> contextFieldLoads, Set<Integer> provenAccesses, Set<Integer> unwrittenStackReads, Set<Integer> provenByInputLength,
                boolean stackPointersChecked) {

    public ProgramAnalysis {
        functions = List.copyOf(functions);
        tailCallSites = Map.copyOf(tailCallSites);
        helpers = List.copyOf(helpers);
        contextFieldLoads = Set.copyOf(contextFieldLoads);
        provenAccesses = Set.copyOf(provenAccesses);
        unwrittenStackReads = Set.copyOf(unwrittenStackReads);
        provenByInputLength = Set.copyOf(provenByInputLength);
    }

    /** Facts without proven accesses: every access is checked at run time. */
    public ProgramAnalysis(List<BpfFunction> functions, Map<Integer, TailCallSite> tailCallSites, int maxStackDepth, List<Integer> helpers,
                    Set<Integer> contextFieldLoads) {
        this(functions, tailCallSites, maxStackDepth, helpers, contextFieldLoads, Set.of(), Set.of(), Set.of(), true);
    }

    /** The same facts with no access proven: every access keeps its run-time check. */
    public ProgramAnalysis withoutProofs() {
        // Unproven, the own frame's accesses through derived pointers are checked too, and must find the frame.
        return new ProgramAnalysis(functions, tailCallSites, maxStackDepth, helpers, contextFieldLoads, Set.of(), unwrittenStackReads, Set.of(), true);
    }

    /**
     * Whether some access is proven only for a run that starts with the input in r1 and its length in r2: such a
     * program may not be started with other registers, nor be a tail call's target.
     */
    public boolean needsInputAtEntry() {
        return !provenByInputLength.isEmpty();
    }

    /** Whether the access at this instruction index is proven to stay in its region. */
    public boolean isProvenAccess(int index) {
        return provenAccesses.contains(index);
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

    /** Functions in one program, the entry included: the kernel's {@code BPF_MAX_SUBPROGS}. */
    public static final int MAX_FUNCTIONS = 256;

    /**
     * Slot 0 and every function reference's target that is the start of an instruction, in order. More than
     * {@link #MAX_FUNCTIONS} is a load error for every engine, verified or not (the kernel refuses it too, and
     * compile time grows with functions times instructions).
     */
    public static TreeSet<Integer> functionStarts(Program program) {
        TreeSet<Integer> starts = new TreeSet<>();
        starts.add(0);
        for (Instruction insn : program.code()) {
            if (isFunctionReference(insn) && program.positionOf(insn.localCallTarget()) >= 0) {
                starts.add(insn.localCallTarget());
            }
        }
        if (starts.size() > MAX_FUNCTIONS) {
            throw new BpfError(BpfError.Kind.LOAD, program.sourceName(), "program '" + program.name() + "' has " + starts.size()
                            + " functions, more than the limit of " + MAX_FUNCTIONS + " (too many subprograms)");
        }
        return starts;
    }
}
