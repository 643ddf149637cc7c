package org.trufflebpf.truffle.nodes;

import org.trufflebpf.model.Helper;
import org.trufflebpf.runtime.MemoryRegion;
import org.trufflebpf.runtime.NativeMemory;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.maps.ArrayMap;

import com.oracle.truffle.api.CompilerDirectives;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.dsl.Cached;
import com.oracle.truffle.api.dsl.GenerateInline;
import com.oracle.truffle.api.dsl.Specialization;
import com.oracle.truffle.api.nodes.Node;

/**
 * One helper call site ({@code call N} or {@code callx}): an inline cache on the helper id, so a site that
 * always calls the same helper compiles to a direct call of that helper alone; beyond three ids, a generic
 * dispatch. A lookup in an array map the site always uses is done in compiled code without leaving it: the
 * map (a constant once cached) gives its value base and bounds, and a key in the calling function's own stack
 * frame (where programs keep it) is checked against the frame's bounds alone.
 */
@GenerateInline(false)
public abstract class HelperCallNode extends Node {
    static final int CACHE_LIMIT = 3;

    /** The CPU runs pretend to be on ({@code bpf.Cpu}): which per-CPU value a lookup gives. */
    private final int cpu;
    /** Bytes of stack below r10 the calling function has (a constant of compiled code). */
    private final int frameSize;

    HelperCallNode(int cpu, int frameSize) {
        this.cpu = cpu;
        this.frameSize = frameSize;
    }

    /** Calls helper {@code id}; {@code r10} is the calling function's frame pointer. */
    public abstract long execute(RunState state, long r10, long id, long r1, long r2, long r3, long r4, long r5);

    @Specialization(guards = {"id == MAP_LOOKUP", "r1 == cachedAddress", "array != null"}, limit = "CACHE_LIMIT")
    long arrayLookup(RunState state, long r10, @SuppressWarnings("unused") long id, long r1, long r2, long r3, long r4, long r5,
                    @Cached("r1") @SuppressWarnings("unused") long cachedAddress, @Cached("arrayMapAt(state, r1)") ArrayMap array) {
        if (!inOwnFrame(r10, r2, 4) && !state.regions().allows(r2, 4, false)) {
            // The generic path reports the bad key pointer with the helper's own message.
            CompilerDirectives.transferToInterpreter();
            return HelperCalls.call(MAP_LOOKUP, r1, r2, r3, r4, r5);
        }
        long index = NativeMemory.readU32(r2);
        return index < array.maxEntries() ? array.valueAddress((int) index, cpu) : 0;
    }

    static final long MAP_LOOKUP = Helper.MAP_LOOKUP_ELEM.id();

    /** Whether {@code size} bytes at {@code address} lie in the calling function's frame, [r10 - frame size, r10). */
    private boolean inOwnFrame(long r10, long address, int size) {
        return MemoryRegion.contains(r10 - frameSize, frameSize, address, size);
    }

    /**
     * The array map of the run's own module at {@code address}; another context's map is never cached here, nor
     * another module's (an inner map a map of maps handed out): that one may be freed once the host takes it out
     * of the outer map, and the generic path makes its values reachable for the run.
     */
    @TruffleBoundary
    static ArrayMap arrayMapAt(RunState state, long address) {
        return state.map(address) instanceof ArrayMap array && array.owner() == state.maps() ? array : null;
    }

    @Specialization(guards = "id == cachedId", limit = "CACHE_LIMIT")
    static long cached(@SuppressWarnings("unused") RunState state, @SuppressWarnings("unused") long r10, @SuppressWarnings("unused") long id, long r1, long r2, long r3, long r4, long r5, @Cached("id") long cachedId,
                    @Cached("byId(cachedId)") Helper helper) {
        return HelperCalls.dispatch(helper, cachedId, r1, r2, r3, r4, r5);
    }

    static Helper byId(long id) {
        return Helper.byId(id);
    }

    @Specialization(replaces = "cached")
    static long generic(@SuppressWarnings("unused") RunState state, @SuppressWarnings("unused") long r10, long id, long r1, long r2, long r3, long r4, long r5) {
        return HelperCalls.call(id, r1, r2, r3, r4, r5);
    }

    public static HelperCallNode create(int cpu, int frameSize) {
        return HelperCallNodeGen.create(cpu, frameSize);
    }
}
