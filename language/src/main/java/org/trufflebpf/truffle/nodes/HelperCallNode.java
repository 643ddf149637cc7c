package org.trufflebpf.truffle.nodes;

import com.oracle.truffle.api.dsl.Cached;
import com.oracle.truffle.api.dsl.GenerateInline;
import com.oracle.truffle.api.dsl.Specialization;
import com.oracle.truffle.api.nodes.Node;

/**
 * One helper call site ({@code call N} or {@code callx}): an inline cache on the helper id, so a site that
 * always calls the same helper compiles to a direct call of that helper alone; beyond three ids, a generic
 * dispatch.
 */
@GenerateInline(false)
public abstract class HelperCallNode extends Node {
    static final int CACHE_LIMIT = 3;

    public abstract long execute(long id, long r1, long r2, long r3, long r4, long r5);

    @Specialization(guards = "id == cachedId", limit = "CACHE_LIMIT")
    static long cached(@SuppressWarnings("unused") long id, long r1, long r2, long r3, long r4, long r5, @Cached("id") long cachedId) {
        return HelperCalls.dispatch(cachedId, r1, r2, r3, r4, r5);
    }

    @Specialization(replaces = "cached")
    static long generic(long id, long r1, long r2, long r3, long r4, long r5) {
        return HelperCalls.call(id, r1, r2, r3, r4, r5);
    }

    public static HelperCallNode create() {
        return HelperCallNodeGen.create();
    }
}
