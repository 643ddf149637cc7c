package org.trufflebpf.truffle.nodes;

import org.trufflebpf.model.Helper;
import org.trufflebpf.runtime.Helpers;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.runtime.maps.ProgArray;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;

/**
 * The interpreter's doors into the runtime: calls that compiled code makes without inlining them. Each
 * helper has its own boundary so that {@link #dispatch} with a constant id folds to one call.
 */
final class HelperCalls {
    private HelperCalls() {
    }

    /**
     * Picks the helper's own boundary. {@code helper} is a compilation constant at a cached site, so the
     * comparisons fold away and one call is left; null (an id no engine provides) fails in the generic call.
     */
    static long dispatch(Helper helper, long id, long r1, long r2, long r3, long r4, long r5) {
        if (helper == Helper.MAP_LOOKUP_ELEM) {
            return mapLookupElem(r1, r2);
        } else if (helper == Helper.MAP_UPDATE_ELEM) {
            return mapUpdateElem(r1, r2, r3, r4);
        } else if (helper == Helper.MAP_DELETE_ELEM) {
            return mapDeleteElem(r1, r2);
        } else if (helper == Helper.KTIME_GET_NS || helper == Helper.KTIME_GET_BOOT_NS) {
            return clock();
        } else if (helper == Helper.GET_PRANDOM_U32) {
            return random();
        }
        return call(id, r1, r2, r3, r4, r5);
    }

    @TruffleBoundary
    static long call(long id, long r1, long r2, long r3, long r4, long r5) {
        return Helpers.call(id, r1, r2, r3, r4, r5);
    }

    @TruffleBoundary
    private static long mapLookupElem(long r1, long r2) {
        return Helpers.mapLookupElem(r1, r2, 0, 0, 0);
    }

    @TruffleBoundary
    private static long mapUpdateElem(long r1, long r2, long r3, long r4) {
        return Helpers.mapUpdateElem(r1, r2, r3, r4, 0);
    }

    @TruffleBoundary
    private static long mapDeleteElem(long r1, long r2) {
        return Helpers.mapDeleteElem(r1, r2, 0, 0, 0);
    }

    @TruffleBoundary
    private static long clock() {
        return Helpers.ktimeGetNs(0, 0, 0, 0, 0);
    }

    @TruffleBoundary
    private static long random() {
        return Helpers.getPrandomU32(0, 0, 0, 0, 0);
    }

    /** The prog array of the run's context at {@code address}, or null (also for another context's). */
    @TruffleBoundary
    static ProgArray progArray(RunState state, long address) {
        return state.map(address) instanceof ProgArray array ? array : null;
    }

    @TruffleBoundary
    static void includeMaps(RunState state, MapSet maps) {
        state.includeMaps(maps);
    }
}
