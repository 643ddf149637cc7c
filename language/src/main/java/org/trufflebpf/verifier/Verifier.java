package org.trufflebpf.verifier;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfFunction;
import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramAnalysis;
import org.trufflebpf.model.TailCallSite;

/**
 * Checks that a program is safe to run on both engines and computes what they need to run it: its
 * functions, their stack depths, the call graph's tail-call facts and every tail-call site's map and key.
 * Stages, each rejecting with a {@link BpfError} of kind {@link BpfError.Kind#VERIFY}:
 * <ol>
 * <li>{@link ControlFlow}: encodings, functions, jumps, reachability;</li>
 * <li>{@link CallGraph}: recursion and at most 8 frames;</li>
 * <li>{@link DataflowAnalysis}: registers and stack bytes read only when written, memory reached only through
 * pointers, stack, map value and packet accesses in bounds, lookup results NULL-checked, helper arguments,
 * tail-call sites; the accesses proven in bounds, for the engines;</li>
 * <li>{@link CallGraph#checkStack}: 512 bytes over the deepest call chain, the 256-byte rule for tail calls.</li>
 * </ol>
 */
public final class Verifier {
    private Verifier() {
    }

    public static Program verify(Program program) {
        return verify(program, VerifierOptions.defaults());
    }

    /** Returns the program with its {@link ProgramAnalysis}, or throws a VERIFY {@link BpfError}. */
    public static Program verify(Program program, VerifierOptions options) {
        return verify(program, options, null);
    }

    /**
     * {@code bpf verify --log}: the register states along the path the first rejection was found on, in the
     * kernel's style, ending with the refused instruction and the reason; empty when the program verifies or is
     * refused before its values are analysed (structure, calls).
     */
    public static String failureLog(Program program, VerifierOptions options) {
        StateLog log = new StateLog(program);
        try {
            verify(program, options, log);
        } catch (BpfError rejected) {
            return log.toString();
        }
        return "";
    }

    private static Program verify(Program program, VerifierOptions options, StateLog log) {
        Rejections reject = new Rejections(program);
        ControlFlow cfg = ControlFlow.analyze(program, options, reject);
        CallGraph graph = CallGraph.analyze(cfg, reject);
        DataflowAnalysis dataflow = new DataflowAnalysis(program, cfg, graph, options, reject);
        if (log != null) {
            dataflow.logFailingPath(log);
        }

        int n = cfg.functions.size();
        int[] depths = new int[n];
        Map<Integer, TailCallSite> sites = new HashMap<>();
        TreeSet<Integer> helpers = new TreeSet<>();
        for (DataflowAnalysis.FunctionFacts facts : dataflow.analyzeAll()) {
            depths[facts.function()] = facts.stackDepth();
            sites.putAll(facts.tailCallSites());
            helpers.addAll(facts.helpers());
        }
        for (Instruction insn : cfg.code) {
            if (insn.isHelperCall()) {
                helpers.add(insn.imm());
                // A site the dataflow never reaches (its branch is infeasible) keeps the safe, indirect form.
                if (insn.imm() == Helper.TAIL_CALL.id()) {
                    sites.putIfAbsent(insn.index(), new TailCallSite(insn.index(), -1, -1, false));
                }
            }
        }
        CallGraph.StackFacts stack = graph.checkStack(depths);

        List<BpfFunction> functions = new ArrayList<>(n);
        for (ControlFlow.Function f : cfg.functions) {
            functions.add(new BpfFunction(f.id(), f.name(), f.startSlot(), f.endSlot(), cfg.code.subList(f.startPos(), f.endPos()), depths[f.id()],
                            graph.calleesOf(f.id()), graph.callsTailCall[f.id()], stack.tailCallReachable()[f.id()]));
        }
        return program.withAnalysis(new ProgramAnalysis(functions, sites, stack.maxStackDepth(), new ArrayList<>(helpers), dataflow.contextFieldLoads(),
                        dataflow.provenAccesses(), dataflow.unwrittenStackReads(), dataflow.provenByInputLength(), dataflow.stackPointersChecked()));
    }
}
