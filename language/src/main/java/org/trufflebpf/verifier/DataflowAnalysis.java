package org.trufflebpf.verifier;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramType;
import org.trufflebpf.model.TailCallSite;

/**
 * Abstract interpretation of each function over its basic blocks, in two ways:
 * <ol>
 * <li>Path by path, as the kernel does: every block keeps the distinct states that reach it, and a state is
 * dropped only when one already there {@linkplain AbstractState#covers covers} it. Loops with a known trip
 * count are followed iteration by iteration, so a counter loop bounded by {@code !=} (as clang emits
 * {@code for (i = 0; i < 64; i++) buf[i] = i;}) and the bytes it writes are known exactly. Bounded by
 * {@link #MAX_STATES_PER_BLOCK}, {@link #MAX_STATES} and {@link #MAX_PROCESSED_INSNS}.</li>
 * <li>When that budget runs out, one joined state per block: a worklist runs blocks until no entry state
 * changes (after {@link #WIDEN_AFTER} changes a block's ranges widen to infinity, so every loop converges),
 * then {@link #NARROWING_ROUNDS} rounds of recomputing every entry from its predecessors win back what loop
 * conditions bound (a counter checked by {@code jlt r1, 8} is again {@code [0, 7]}).</li>
 * </ol>
 * Either way, a checking pass then runs every block from every state kept for it and rejects the violation
 * at the lowest instruction index. Functions are analysed one at a time, callees first: a subprogram starts
 * with r1-r5 as its arguments, typed by what its call sites pass ({@link CallArguments}), the entry function
 * with the context in r1 (and a length in r2 for raw-memory programs). Running out of budget never rejects a
 * program; it only makes the analysis coarser.
 */
final class DataflowAnalysis {
    static final int MAX_STATES_PER_BLOCK = 1024;
    static final int MAX_STATES = 50_000;
    static final long MAX_PROCESSED_INSNS = 1_000_000;
    static final int WIDEN_AFTER = 4;
    static final int NARROWING_ROUNDS = 3;

    /** What the analysis found in one function. */
    record FunctionFacts(int function, int stackDepth, Map<Integer, TailCallSite> tailCallSites, Set<Integer> helpers) {
    }

    private final ControlFlow cfg;
    private final CallGraph graph;
    private final AbstractInterpreter interpreter;
    private final boolean r2AtEntry;
    /** Per function: every exit reached during exploration had r0 written. */
    private final boolean[] returnsValue;
    /** Set while exploring when an {@code exit} is reached with r0 unwritten. */
    private boolean exitWithoutR0;
    /** Per function: the pointer it returns in r0 on every path, or an unknown scalar (null before it is analysed). */
    private final Value[] returned;
    /** Whether the last exploration stopped at {@link #MAX_PROCESSED_INSNS} (not at a count of states). */
    private boolean overComplexityLimit;
    /** Whether the program has a kernel type: over the complexity limit it is refused, as the kernel refuses it. */
    private final boolean kernelType;
    private final Rejections reject;
    /** While exploring: the join of r0 at the exits reached so far, or null. */
    private Value returnedAtExit;
    /** Where the failing path's states are written ({@code bpf verify --log}); null when nobody asked. */
    private StateLog log;
    /** With a log: each explored state's predecessor, as {block (relative), state leaving into it}. */
    private Map<AbstractState, Object[]> parents;
    /** With a log: the state a function's exploration started from. */
    private AbstractState initialState;

    DataflowAnalysis(Program program, ControlFlow cfg, CallGraph graph, VerifierOptions options, Rejections reject) {
        this.cfg = cfg;
        this.graph = graph;
        this.interpreter = new AbstractInterpreter(program, options, reject);
        this.contextFieldLoads = new ContextFieldLoads(reject);
        interpreter.contextFieldLoads = contextFieldLoads;
        this.r2AtEntry = options.r2SetAtEntry(program.type());
        interpreter.inputLengthKnown = r2AtEntry && program.type() == ProgramType.RAW;
        this.kernelType = program.type() != ProgramType.RAW;
        this.reject = reject;
        this.returnsValue = new boolean[cfg.functions.size()];
        this.returned = new Value[cfg.functions.size()];
        this.arguments = new CallArguments[cfg.functions.size()];
        for (int i = 0; i < arguments.length; i++) {
            arguments[i] = new CallArguments();
        }
        this.frames = new FrameUse[cfg.functions.size()];
        interpreter.returnsValue = slot -> returnsValue[cfg.functionStartingAt(slot).id()];
        interpreter.returnedValue = slot -> {
            Value value = returned[cfg.functionStartingAt(slot).id()];
            return value != null ? value : Value.UNKNOWN;
        };
        interpreter.calleeNames = slot -> cfg.functionStartingAt(slot).name();
        interpreter.calleeMovesPacket = slot -> graph.movesPacket[cfg.functionStartingAt(slot).id()];
    }

    private final ContextFieldLoads contextFieldLoads;

    /** After {@link #analyzeAll}: the loads of a context pointer field that read the context. */
    Set<Integer> contextFieldLoads() {
        return contextFieldLoads.throughContext();
    }

    /** Asks for the register states along the path of the first rejection, written to {@code into}. */
    void logFailingPath(StateLog into) {
        this.log = into;
    }

    /** After {@link #analyzeAll}: the accesses proven to stay in their region on every path that reaches them. */
    /** Whether an access the verifier did not prove may go through a pointer into a stack frame. */
    boolean stackPointersChecked() {
        return interpreter.stackPointerChecked;
    }

    Set<Integer> provenAccesses() {
        Set<Integer> proven = new TreeSet<>(interpreter.accesses);
        proven.removeAll(interpreter.unprovenAccesses);
        return proven;
    }

    /** After {@link #analyzeAll}: the proven accesses that some path proves through the input's length. */
    Set<Integer> provenByInputLength() {
        Set<Integer> proven = provenAccesses();
        proven.retainAll(interpreter.lengthProvenAccesses);
        return proven;
    }

    /** After {@link #analyzeAll}: the loads that may read own-frame stack bytes no path wrote. */
    Set<Integer> unwrittenStackReads() {
        return new TreeSet<>(interpreter.unwrittenStackReads);
    }

    /** Per function: what its callers pass in r1-r5. */
    private final CallArguments[] arguments;
    /** Per analysed function: how it uses its own frame and its callers'. */
    private final FrameUse[] frames;

    /**
     * Analyses every function, callees before callers: a caller needs to know whether its callee sets r0 and
     * what it does with stack pointers passed to it, and an error in a callee is the cause of any its callers
     * then show, so it is reported first. When there are calls, a first exploration, callers first, finds what
     * each function's call sites pass in r1-r5, so that callees know which arguments are pointers and of
     * which kind (and track what they do with stack pointers).
     */
    FunctionFacts[] analyzeAll() {
        int n = cfg.functions.size();
        FunctionFacts[] facts = new FunctionFacts[n];
        if (n > 1) {
            interpreter.argumentsPassed = (slot, passed) -> arguments[cfg.functionStartingAt(slot).id()].add(passed, interpreter.argumentKindsKnown);
            int[] calleesFirst = graph.calleesFirst();
            for (int i = n - 1; i >= 0; i--) {
                analyze(cfg.functions.get(calleesFirst[i]), false);
            }
            interpreter.argumentsPassed = null;
        }
        interpreter.calleeFrames = slot -> frames[cfg.functionStartingAt(slot).id()];
        for (int id : graph.calleesFirst()) {
            facts[id] = analyze(cfg.functions.get(id), true);
        }
        return facts;
    }

    /** Explores the function and, when {@code check} is set, checks it and returns its facts. */
    private FunctionFacts analyze(ControlFlow.Function function, boolean check) {
        FrameUse frame = new FrameUse();
        Map<Integer, TailCallSite> sites = new HashMap<>();
        Set<Integer> helpers = new TreeSet<>();
        interpreter.functionName = function.name();
        interpreter.tailCallSites = sites;
        interpreter.helpers = helpers;
        interpreter.callxTargets = new HashMap<>();
        interpreter.exitReadsR0 = function.id() == 0 || !graph.isCalled(function.id()) || cfg.addressTaken.contains(function.startSlot());
        interpreter.argumentKindsKnown = function.id() == 0 || arguments[function.id()].kindsKnown() && !cfg.addressTaken.contains(function.startSlot());

        int first = function.firstBlock();
        int count = function.endBlock() - first;
        AbstractState initial;
        if (function.id() == 0) {
            initial = r2AtEntry ? AbstractState.atEntry(1, 2) : AbstractState.atEntry(1);
            // r1 is the context (for raw programs, the input bytes; r2 is then their length, a number).
            initial.set(1, new Value.MemoryPointer(PointerKind.CONTEXT));
            if (interpreter.inputLengthKnown) {
                initial.set(2, InputLength.atEntry());
            }
        } else {
            initial = AbstractState.atEntry(1, 2, 3, 4, 5);
            boolean calledBack = cfg.addressTaken.contains(function.startSlot());
            for (int r = 1; r <= 5; r++) {
                initial.set(r, arguments[function.id()].atEntry(r, calledBack));
            }
        }

        // Exploring states say nothing about the final frame: size it only from the checking pass.
        interpreter.checking = false;
        interpreter.frame = new FrameUse();
        exitWithoutR0 = false;
        returnedAtExit = null;
        parents = log != null && check ? new IdentityHashMap<>() : null;
        initialState = initial;
        interpreter.joinedStates = false;
        overComplexityLimit = false;
        List<List<AbstractState>> paths = explorePaths(first, count, initial);
        if (paths == null && overComplexityLimit && kernelType) {
            // The kernel gives up here; a raw-memory program (ours only) is analysed again with joined states.
            throw reject.of(function.name(), "BPF program is too large. Processed " + (MAX_PROCESSED_INSNS + 1) + " insn");
        }
        interpreter.joinedStates = paths == null;
        AbstractState[] entry = paths == null ? joinedFixpoint(first, count, initial) : null;
        returnsValue[function.id()] = !exitWithoutR0;
        if (!check) {
            return null;
        }
        // Only the callees-first pass knows the arguments' kinds, and with them what comes back.
        returned[function.id()] = returnedAtExit instanceof Value.MemoryPointer p ? p.detached() : Value.UNKNOWN;
        frames[function.id()] = frame;
        if (paths != null) {
            interpreter.checking = true;
            interpreter.frame = frame;
            for (int b = 0; b < count; b++) {
                if (paths.get(b) != null) {
                    checkBlock(function, b, paths.get(b));
                }
            }
            return new FunctionFacts(function.id(), frame.depth(), sites, helpers);
        }

        interpreter.checking = true;
        interpreter.frame = frame;
        for (int b = 0; b < count; b++) {
            if (entry[b] == null) {
                continue;
            }
            ControlFlow.Block block = cfg.blocks.get(first + b);
            AbstractState[] exits;
            try {
                exits = run(block, entry[b].copy());
            } catch (BpfError e) {
                // Joined states have no single path: the log shows the failing block from its joined entry.
                if (log != null) {
                    writePath(function, Collections.singletonList(new Object[] {b, entry[b]}), e);
                }
                throw e;
            }
            int[] targets = {block.taken(), block.next()};
            for (int edge = 0; edge < 2; edge++) {
                if (targets[edge] >= 0 && exits[edge] != null && entry[targets[edge] - first] != null) {
                    entry[targets[edge] - first].noteEscapes(exits[edge], frame);
                }
            }
        }
        return new FunctionFacts(function.id(), frame.depth(), sites, helpers);
    }

    /** The states reaching each block (null for a block none reaches), or null when over budget. */
    private List<List<AbstractState>> explorePaths(int first, int count, AbstractState initial) {
        exitWithoutR0 = false;
        returnedAtExit = null;
        List<List<AbstractState>> states = new ArrayList<>(Collections.nCopies(count, (List<AbstractState>) null));
        int[] added = new int[count];
        int stored = 1;
        long processed = 0;
        Deque<Object[]> work = new ArrayDeque<>();
        states.set(0, new ArrayList<>(List.of(initial)));
        work.push(new Object[] {0, initial});
        while (!work.isEmpty()) {
            Object[] item = work.pop();
            ControlFlow.Block block = cfg.blocks.get(first + (int) item[0]);
            processed += block.endPos() - block.startPos();
            if (processed > MAX_PROCESSED_INSNS) {
                overComplexityLimit = true;
                return null;
            }
            AbstractState[] exits = run(block, ((AbstractState) item[1]).copy());
            int[] targets = {block.taken(), block.next()};
            for (int edge = 1; edge >= 0; edge--) {
                if (targets[edge] < 0 || exits[edge] == null) {
                    continue;
                }
                int t = targets[edge] - first;
                List<AbstractState> known = states.get(t);
                if (known == null) {
                    known = new ArrayList<>();
                    states.set(t, known);
                }
                if (coveredBy(known, exits[edge])) {
                    continue;
                }
                if (++added[t] > MAX_STATES_PER_BLOCK || ++stored > MAX_STATES) {
                    return null;
                }
                known.add(exits[edge]);
                if (parents != null) {
                    parents.put(exits[edge], new Object[] {(int) item[0], item[1]});
                }
                work.push(new Object[] {t, exits[edge]});
            }
        }
        return states;
    }

    private static boolean coveredBy(List<AbstractState> known, AbstractState state) {
        for (AbstractState candidate : known) {
            if (candidate.covers(state)) {
                return true;
            }
        }
        return false;
    }

    /** Checks a block from each of its states; the error at the lowest instruction index wins. */
    private void checkBlock(ControlFlow.Function function, int b, List<AbstractState> states) {
        ControlFlow.Block block = cfg.blocks.get(function.firstBlock() + b);
        BpfError firstError = null;
        AbstractState failing = null;
        for (AbstractState state : states) {
            try {
                run(block, state.copy());
            } catch (BpfError e) {
                if (firstError == null || e.instructionIndex() < firstError.instructionIndex()) {
                    firstError = e;
                    failing = state;
                }
            }
        }
        if (firstError != null) {
            if (log != null) {
                writePath(function, pathTo(b, failing), firstError);
            }
            throw firstError;
        }
    }

    /** The blocks (relative) and entry states from the function's entry to {@code state} at block {@code b}. */
    private List<Object[]> pathTo(int b, AbstractState state) {
        List<Object[]> path = new ArrayList<>();
        Object[] at = {b, state};
        while (at != null) {
            path.add(at);
            at = parents.get((AbstractState) at[1]);
        }
        Collections.reverse(path);
        return path;
    }

    /**
     * Writes the path to the log: each block run again from its entry state without checks, one line per
     * instruction with the state it leaves (a jump's line shows the state on the edge the path took), up to
     * the refused instruction and the reason.
     */
    private void writePath(ControlFlow.Function function, List<Object[]> path, BpfError error) {
        boolean wasChecking = interpreter.checking;
        interpreter.checking = false;
        int first = function.firstBlock();
        log.entry(function.name(), cfg.code.get(cfg.blocks.get(first + (int) path.get(0)[0]).startPos()).index(), (AbstractState) path.get(0)[1]);
        for (int i = 0; i < path.size(); i++) {
            ControlFlow.Block block = cfg.blocks.get(first + (int) path.get(i)[0]);
            AbstractState state = ((AbstractState) path.get(i)[1]).copy();
            boolean last = i == path.size() - 1;
            for (int position = block.startPos(); position < block.endPos(); position++) {
                Instruction insn = cfg.code.get(position);
                if (last && insn.index() == error.instructionIndex()) {
                    log.refused(insn, error.reason());
                    interpreter.checking = wasChecking;
                    return;
                }
                boolean jump = position == block.endPos() - 1 && (insn.isConditionalBranch() || insn.isUnconditionalJump());
                if (jump && !last) {
                    log.step(insn, (AbstractState) path.get(i + 1)[1]);
                } else {
                    interpreter.step(insn, state);
                    log.step(insn, state);
                }
            }
        }
        log.note(error.reason());
        interpreter.checking = wasChecking;
    }

    /** One joined state per block: the ascending worklist with widening, then narrowing rounds. */
    private AbstractState[] joinedFixpoint(int first, int count, AbstractState initial) {
        exitWithoutR0 = false;
        returnedAtExit = null;
        AbstractState[] entry = new AbstractState[count];
        int[] changes = new int[count];
        entry[0] = initial.copy();
        BitSet pending = new BitSet(count);
        pending.set(0);
        for (int b = pending.nextSetBit(0); b >= 0; b = pending.nextSetBit(0)) {
            pending.clear(b);
            ControlFlow.Block block = cfg.blocks.get(first + b);
            AbstractState[] exits = run(block, entry[b].copy());
            propagate(block.taken(), exits[0], first, entry, changes, pending);
            propagate(block.next(), exits[1], first, entry, changes, pending);
        }
        for (int round = 0; round < NARROWING_ROUNDS; round++) {
            entry = recomputeEntries(first, entry, initial);
        }
        return entry;
    }

    /**
     * One descending step: every block's entry becomes the join of what its predecessors now send it, without
     * the old entry. Started from a fixpoint this stays sound and can only get more precise.
     */
    private AbstractState[] recomputeEntries(int first, AbstractState[] entry, AbstractState initial) {
        AbstractState[] next = new AbstractState[entry.length];
        next[0] = initial.copy();
        for (int b = 0; b < entry.length; b++) {
            if (entry[b] == null) {
                continue;
            }
            ControlFlow.Block block = cfg.blocks.get(first + b);
            AbstractState[] exits = run(block, entry[b].copy());
            for (int edge = 0; edge < 2; edge++) {
                int target = edge == 0 ? block.taken() : block.next();
                if (target >= 0 && exits[edge] != null) {
                    int t = target - first;
                    if (next[t] == null) {
                        next[t] = exits[edge].copy();
                    } else {
                        next[t].mergeFrom(exits[edge], false);
                    }
                }
            }
        }
        return next;
    }

    /** Runs a block; returns the states leaving it along its taken edge and its fall-through edge. */
    private AbstractState[] run(ControlFlow.Block block, AbstractState state) {
        for (int position = block.startPos(); position < block.endPos() - 1; position++) {
            interpreter.step(cfg.code.get(position), state);
        }
        Instruction last = cfg.code.get(block.endPos() - 1);
        interpreter.step(last, state);
        if (last.isExit() && !state.get(0).readable()) {
            exitWithoutR0 = true;
        }
        if (last.isExit()) {
            returnedAtExit = returnedAtExit == null ? state.get(0) : Value.join(returnedAtExit, state.get(0), false);
        }
        if (last.isConditionalBranch()) {
            return interpreter.branch(last, state);
        }
        if (last.isUnconditionalJump()) {
            return new AbstractState[] {state, null};
        }
        return new AbstractState[] {null, last.isExit() ? null : state};
    }

    private static void propagate(int target, AbstractState state, int first, AbstractState[] entry, int[] changes, BitSet pending) {
        if (target < 0 || state == null) {
            return;
        }
        int b = target - first;
        if (entry[b] == null) {
            entry[b] = state.copy();
            pending.set(b);
        } else if (entry[b].mergeFrom(state, changes[b] >= WIDEN_AFTER)) {
            changes[b]++;
            pending.set(b);
        }
    }
}
