package org.trufflebpf.truffle.nodes;

import org.trufflebpf.model.Helper;
import org.trufflebpf.runtime.HelperCost;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.maps.ArrayMap;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.dsl.Cached;
import com.oracle.truffle.api.dsl.GenerateInline;
import com.oracle.truffle.api.dsl.Specialization;
import com.oracle.truffle.api.nodes.Node;

/**
 * What one helper call site charges to the run's budget ({@link HelperCost}), before the call. A lookup in an
 * array map the site always uses costs the same each time (its key size is fixed), so compiled code charges a
 * constant, as {@link HelperCallNode} does the lookup itself; other calls work the cost out from their
 * arguments. tail_call and unknown helpers cost nothing here (their instruction is paid for; an unknown id fails
 * in the call), as in native code.
 */
@GenerateInline(false)
public abstract class HelperCostNode extends Node {
    public abstract long execute(RunState state, long id, long r1, long r2, long r3, long r4);

    @Specialization(guards = {"id == MAP_LOOKUP", "r1 == cachedAddress", "array != null"}, limit = "CACHE_LIMIT")
    static long arrayLookup(@SuppressWarnings("unused") RunState state, @SuppressWarnings("unused") long id, @SuppressWarnings("unused") long r1,
                    @SuppressWarnings("unused") long r2, @SuppressWarnings("unused") long r3, @SuppressWarnings("unused") long r4,
                    @Cached("r1") @SuppressWarnings("unused") long cachedAddress, @Cached("arrayMapAt(state, r1)") ArrayMap array,
                    @Cached("lookupCost(array)") long cost) {
        return cost;
    }

    @Specialization
    static long generic(RunState state, long id, long r1, long r2, long r3, long r4) {
        return costOf(state, id, r1, r2, r3, r4);
    }

    static final long MAP_LOOKUP = HelperCallNode.MAP_LOOKUP;
    static final int CACHE_LIMIT = HelperCallNode.CACHE_LIMIT;

    static ArrayMap arrayMapAt(RunState state, long address) {
        return HelperCallNode.arrayMapAt(state, address);
    }

    static long lookupCost(ArrayMap array) {
        return HelperCost.ofBytes(array.keySize());
    }

    @TruffleBoundary
    private static long costOf(RunState state, long id, long r1, long r2, long r3, long r4) {
        Helper helper = Helper.byId(id);
        return helper == null || helper == Helper.TAIL_CALL ? 0 : HelperCost.of(state, id, r1, r2, r3, r4);
    }

    public static HelperCostNode create() {
        return HelperCostNodeGen.create();
    }
}
