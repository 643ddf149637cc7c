package org.trufflebpf.verifier;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.TailCallSite;

/**
 * Abstract interpretation of each function over its basic blocks: a worklist runs blocks until the state at
 * every block entry stops changing (loops are fine; after {@link #WIDEN_AFTER} changes a block's ranges are
 * widened to infinity so every loop converges). {@link #NARROWING_ROUNDS} rounds of recomputing every entry
 * from its predecessors then win back what the loop conditions bound (a counter checked by {@code jlt r1, 8}
 * is again {@code [0, 7]}). Finally one checking pass runs each block once more from its final entry state
 * and rejects the first violation in slot order. Functions are analysed one at a time: a subprogram
 * starts with r1-r5 as its (unknown) arguments, the entry function with r1 (and r2 for raw-memory programs).
 */
final class DataflowAnalysis {
    static final int WIDEN_AFTER = 4;
    static final int NARROWING_ROUNDS = 3;

    /** What the analysis found in one function. */
    record FunctionFacts(int stackDepth, Map<Integer, TailCallSite> tailCallSites, Set<Integer> helpers) {
    }

    private final ControlFlow cfg;
    private final AbstractInterpreter interpreter;
    private final boolean r2AtEntry;

    DataflowAnalysis(Program program, ControlFlow cfg, VerifierOptions options, Rejections reject) {
        this.cfg = cfg;
        this.interpreter = new AbstractInterpreter(program, options, reject);
        this.r2AtEntry = options.r2SetAtEntry(program.type());
    }

    FunctionFacts analyze(ControlFlow.Function function) {
        FrameUse frame = new FrameUse();
        Map<Integer, TailCallSite> sites = new HashMap<>();
        Set<Integer> helpers = new TreeSet<>();
        interpreter.functionName = function.name();
        interpreter.tailCallSites = sites;
        interpreter.helpers = helpers;

        int first = function.firstBlock();
        int count = function.endBlock() - first;
        AbstractState[] entry = new AbstractState[count];
        int[] changes = new int[count];
        AbstractState initial = function.id() == 0 ? (r2AtEntry ? AbstractState.atEntry(1, 2) : AbstractState.atEntry(1))
                        : AbstractState.atEntry(1, 2, 3, 4, 5);
        entry[0] = initial.copy();

        // Intermediate states (widened ones especially) say nothing about the final frame: size it only from
        // the checking pass.
        interpreter.checking = false;
        interpreter.frame = new FrameUse();
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

        interpreter.checking = true;
        interpreter.frame = frame;
        for (int b = 0; b < count; b++) {
            if (entry[b] == null) {
                continue;
            }
            ControlFlow.Block block = cfg.blocks.get(first + b);
            AbstractState[] exits = run(block, entry[b].copy());
            int[] targets = {block.taken(), block.next()};
            for (int edge = 0; edge < 2; edge++) {
                if (targets[edge] >= 0 && exits[edge] != null && entry[targets[edge] - first] != null) {
                    entry[targets[edge] - first].noteEscapes(exits[edge], frame);
                }
            }
        }
        return new FunctionFacts(frame.depth(), sites, helpers);
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
