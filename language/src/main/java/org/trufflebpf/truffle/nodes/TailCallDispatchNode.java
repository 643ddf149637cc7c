package org.trufflebpf.truffle.nodes;

import com.oracle.truffle.api.CallTarget;
import com.oracle.truffle.api.dsl.Cached;
import com.oracle.truffle.api.dsl.GenerateInline;
import com.oracle.truffle.api.dsl.Specialization;
import com.oracle.truffle.api.nodes.DirectCallNode;
import com.oracle.truffle.api.nodes.IndirectCallNode;
import com.oracle.truffle.api.nodes.Node;

/**
 * Enters the programs a chain of tail calls leads to, from the loop of the function that began the chain
 * ({@link BpfFunctionNode}): a small inline cache of direct calls, so a chain that always reaches the same
 * programs gets them inlined into that loop, with an indirect call beyond that.
 */
@GenerateInline(false)
public abstract class TailCallDispatchNode extends Node {
    static final int CACHE_LIMIT = 3;

    public abstract Object execute(CallTarget target, Object[] arguments);

    @Specialization(guards = "target == cachedTarget", limit = "CACHE_LIMIT")
    static Object direct(@SuppressWarnings("unused") CallTarget target, Object[] arguments, @Cached("target") @SuppressWarnings("unused") CallTarget cachedTarget,
                    @Cached("create(cachedTarget)") DirectCallNode call) {
        return call.call(arguments);
    }

    @Specialization(replaces = "direct")
    static Object indirect(CallTarget target, Object[] arguments, @Cached IndirectCallNode call) {
        return call.call(target, arguments);
    }

    public static TailCallDispatchNode create() {
        return TailCallDispatchNodeGen.create();
    }
}
