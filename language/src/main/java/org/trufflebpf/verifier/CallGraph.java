package org.trufflebpf.verifier;

import static org.trufflebpf.model.Opcodes.MAX_CALL_FRAMES;
import static org.trufflebpf.model.Opcodes.MAX_STACK;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;

import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Instruction;

/**
 * Which function calls which (bpf-to-bpf calls only), checked for recursion and call depth, and the stack
 * rules over call chains: the deepest chain's frames, each rounded up to 32 bytes, fit in 512 bytes; a
 * subprogram that tail calls is never called while its callers' frames total 256 bytes or more; and
 * {@code tail_call_reachable} marks every function that tail calls or calls one that does.
 *
 * <p>Frame rounding follows the kernel the JIT contract is based on (Linux 5.10 {@code check_max_stack_depth}):
 * {@code round_up(max(depth, 1), 32)}, so even a function without stack counts 32 bytes in a chain. Functions
 * that nothing calls (the entry, and functions only referenced by {@code lddw func:}) start chains.
 */
final class CallGraph {
    static final int TAIL_CALL_CALLER_LIMIT = 256;

    /** One bpf-to-bpf call: where it is and which function it enters. */
    record Call(Instruction insn, int caller, int callee) {
    }

    private final ControlFlow cfg;
    private final Rejections reject;
    final List<List<Call>> calls = new ArrayList<>();
    final boolean[] callsTailCall;
    private final boolean[] called;
    /** Functions ordered so that every caller comes before its callees. */
    private final int[] topologicalOrder;

    private CallGraph(ControlFlow cfg, Rejections reject) {
        this.cfg = cfg;
        this.reject = reject;
        int n = cfg.functions.size();
        this.callsTailCall = new boolean[n];
        this.called = new boolean[n];
        for (ControlFlow.Function function : cfg.functions) {
            List<Call> out = new ArrayList<>();
            for (int position = function.startPos(); position < function.endPos(); position++) {
                Instruction insn = cfg.code.get(position);
                if (insn.isLocalCall()) {
                    int callee = cfg.functionStartingAt(insn.localCallTarget()).id();
                    out.add(new Call(insn, function.id(), callee));
                    called[callee] = true;
                } else if (insn.isHelperCall() && insn.imm() == Helper.TAIL_CALL.id()) {
                    callsTailCall[function.id()] = true;
                }
            }
            calls.add(out);
        }
        this.topologicalOrder = orderWithoutRecursion();
    }

    static CallGraph analyze(ControlFlow cfg, Rejections reject) {
        CallGraph graph = new CallGraph(cfg, reject);
        graph.checkFrameCount();
        return graph;
    }

    /** Distinct callees in the order of their first call. */
    /** All functions, every callee before its callers. */
    int[] calleesFirst() {
        int[] order = new int[topologicalOrder.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = topologicalOrder[order.length - 1 - i];
        }
        return order;
    }

    /** Whether some bpf-to-bpf call enters the function. */
    boolean isCalled(int function) {
        return called[function];
    }

    List<Integer> calleesOf(int function) {
        LinkedHashSet<Integer> result = new LinkedHashSet<>();
        for (Call call : calls.get(function)) {
            result.add(call.callee());
        }
        return new ArrayList<>(result);
    }

    /** Depth-first search from every function; a call to a function still on the search path is recursion. */
    private int[] orderWithoutRecursion() {
        int n = cfg.functions.size();
        int[] state = new int[n]; // 0 unvisited, 1 on the path, 2 done
        int[] postOrder = new int[n];
        int done = 0;
        for (int root = 0; root < n; root++) {
            if (state[root] != 0) {
                continue;
            }
            Deque<int[]> path = new ArrayDeque<>(); // {function, index of the next call to follow}
            path.push(new int[] {root, 0});
            state[root] = 1;
            while (!path.isEmpty()) {
                int[] frame = path.peek();
                List<Call> out = calls.get(frame[0]);
                if (frame[1] == out.size()) {
                    path.pop();
                    state[frame[0]] = 2;
                    postOrder[done++] = frame[0];
                    continue;
                }
                Call call = out.get(frame[1]++);
                if (state[call.callee()] == 1) {
                    throw reject.at(name(call.caller()), call.insn(), "recursive call: " + cycle(path, call.callee()));
                }
                if (state[call.callee()] == 0) {
                    state[call.callee()] = 1;
                    path.push(new int[] {call.callee(), 0});
                }
            }
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = postOrder[n - 1 - i];
        }
        return order;
    }

    private String cycle(Deque<int[]> path, int repeated) {
        List<String> names = new ArrayList<>();
        for (var it = path.descendingIterator(); it.hasNext();) {
            int function = it.next()[0];
            if (function == repeated || !names.isEmpty()) {
                names.add(name(function));
            }
        }
        names.add(name(repeated));
        return String.join(" -> ", names);
    }

    /** At most {@link org.trufflebpf.model.Opcodes#MAX_CALL_FRAMES} frames on any chain of calls. */
    private void checkFrameCount() {
        int n = cfg.functions.size();
        int[] frames = new int[n];
        Call[] deepestCall = new Call[n];
        Arrays.fill(frames, 1);
        for (int caller : topologicalOrder) {
            for (Call call : calls.get(caller)) {
                if (frames[caller] + 1 > frames[call.callee()]) {
                    frames[call.callee()] = frames[caller] + 1;
                    deepestCall[call.callee()] = call;
                    if (frames[call.callee()] > MAX_CALL_FRAMES) {
                        throw reject.at(name(caller), call.insn(), "call chain " + chain(deepestCall, call.callee()) + " is "
                                        + frames[call.callee()] + " frames deep (at most " + MAX_CALL_FRAMES + ")");
                    }
                }
            }
        }
    }

    /** A frame as call chains count it: {@code round_up(max(depth, 1), 32)}. */
    static int chainFrameSize(int stackDepth) {
        return (Math.max(stackDepth, 1) + 31) & ~31;
    }

    /** Stack facts over call chains, given each function's own stack depth. */
    record StackFacts(boolean[] tailCallReachable, int maxStackDepth) {
    }

    StackFacts checkStack(int[] stackDepth) {
        int n = cfg.functions.size();
        int[] callerBytes = new int[n];
        Call[] heaviestCall = new Call[n];
        int maxStackDepth = 0;
        for (int caller : topologicalOrder) {
            int through = callerBytes[caller] + chainFrameSize(stackDepth[caller]);
            maxStackDepth = Math.max(maxStackDepth, through);
            for (Call call : calls.get(caller)) {
                int callee = call.callee();
                if (through > callerBytes[callee] || heaviestCall[callee] == null) {
                    callerBytes[callee] = through;
                    heaviestCall[callee] = call;
                    int total = through + chainFrameSize(stackDepth[callee]);
                    if (total > MAX_STACK) {
                        throw reject.at(name(caller), call.insn(), "call chain " + chain(heaviestCall, callee) + " needs " + total + " bytes of stack (at most "
                                        + MAX_STACK + ", each frame rounded up to 32)");
                    }
                    if (callsTailCall[callee] && through >= TAIL_CALL_CALLER_LIMIT) {
                        throw reject.at(name(caller), call.insn(), "calls '" + name(callee) + "', which uses bpf_tail_call, while the frames of "
                                        + "its callers total " + through + " bytes (must be below " + TAIL_CALL_CALLER_LIMIT + ")");
                    }
                }
            }
        }
        boolean[] reachable = callsTailCall.clone();
        for (int i = n - 1; i >= 0; i--) {
            int function = topologicalOrder[i];
            for (Call call : calls.get(function)) {
                reachable[function] |= reachable[call.callee()];
            }
        }
        return new StackFacts(reachable, maxStackDepth);
    }

    private String chain(Call[] bestCall, int last) {
        List<String> names = new ArrayList<>();
        int function = last;
        names.add(name(function));
        while (bestCall[function] != null) {
            function = bestCall[function].caller();
            names.add(0, name(function));
        }
        return String.join(" -> ", names);
    }

    private String name(int function) {
        return cfg.functions.get(function).name();
    }
}
