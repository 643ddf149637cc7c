package org.trufflebpf.truffle.nodes;

import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.maps.LoadedProgram;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.runtime.maps.ProgArray;

import com.oracle.truffle.api.Assumption;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.dsl.Cached;
import com.oracle.truffle.api.dsl.GenerateInline;
import com.oracle.truffle.api.dsl.Specialization;
import com.oracle.truffle.api.nodes.Node;

/**
 * What one tail call site finds in its prog array slot: the program there, or why there is none. A site that
 * always names the same slot of a prog array of its own module has the slot's program as a compilation
 * constant behind the slot's {@link SlotAssumptions assumption}, so compiled code neither looks up the map nor
 * reads the slot; a slot update invalidates it.
 */
@GenerateInline(false)
public abstract class TailCallSlotNode extends Node {
    static final int CACHE_LIMIT = 3;

    /** r2 is not a prog array the run may use. */
    static final Object NOT_A_PROG_ARRAY = new Object();
    /** The key is not below the array's max_entries. */
    static final Object OUT_OF_RANGE = new Object();
    /** The slot holds no program. */
    static final Object EMPTY = new Object();

    /**
     * The maps the function was loaded with. Only their prog arrays are cached: they live as long as the function,
     * while another module's array may be freed and its address reused.
     */
    private final MapSet own;

    TailCallSlotNode(MapSet own) {
        this.own = own;
    }

    /** The {@link LoadedProgram} in slot {@code index} of the array at {@code arrayAddress}, or one of the reasons above. */
    public abstract Object execute(RunState state, long arrayAddress, long index);

    @Specialization(guards = {"arrayAddress == cachedAddress", "index == cachedIndex", "array != null"}, assumptions = "unchanged", limit = "CACHE_LIMIT")
    static Object constant(@SuppressWarnings("unused") RunState state, @SuppressWarnings("unused") long arrayAddress, @SuppressWarnings("unused") long index,
                    @Cached("arrayAddress") @SuppressWarnings("unused") long cachedAddress, @Cached("ownArray(state, arrayAddress)") ProgArray array,
                    @Cached("index") long cachedIndex, @Cached("unchanged(array, cachedIndex)") @SuppressWarnings("unused") Assumption unchanged,
                    @Cached("slot(array, cachedIndex)") Object slot) {
        // The assumption is taken before the slot is read, so an update in between invalidates what was read.
        return slot;
    }

    @Specialization(replaces = "constant")
    static Object generic(RunState state, long arrayAddress, long index) {
        ProgArray array = HelperCalls.progArray(state, arrayAddress);
        return array == null ? NOT_A_PROG_ARRAY : slot(array, index);
    }

    /** The run's prog array at {@code address} when it is one of this function's own maps, else null. */
    @TruffleBoundary
    ProgArray ownArray(RunState state, long address) {
        ProgArray array = HelperCalls.progArray(state, address);
        return array != null && array.owner() == own ? array : null;
    }

    @TruffleBoundary
    static Assumption unchanged(ProgArray array, long index) {
        return index < array.maxEntries() ? SlotAssumptions.of(array).unchanged((int) index) : Assumption.ALWAYS_VALID;
    }

    static Object slot(ProgArray array, long index) {
        if (index >= array.maxEntries()) {
            return OUT_OF_RANGE;
        }
        LoadedProgram program = array.get(index);
        return program == null ? EMPTY : program;
    }

    public static TailCallSlotNode create(MapSet own) {
        return TailCallSlotNodeGen.create(own);
    }
}
