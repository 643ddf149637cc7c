package org.trufflebpf.truffle.nodes;

import org.trufflebpf.runtime.Helpers;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.maps.BpfMap;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.runtime.maps.ProgArray;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;

/** The interpreter's doors into the runtime: calls that compiled code makes without inlining them. */
final class HelperCalls {
    private HelperCalls() {
    }

    @TruffleBoundary
    static long call(long id, long r1, long r2, long r3, long r4, long r5) {
        return Helpers.call(id, r1, r2, r3, r4, r5);
    }

    @TruffleBoundary
    static ProgArray progArray(long address) {
        return BpfMap.byAddress(address) instanceof ProgArray array ? array : null;
    }

    @TruffleBoundary
    static void includeMaps(RunState state, MapSet maps) {
        state.includeMaps(maps);
    }
}
