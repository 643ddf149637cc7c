package org.trufflebpf.runtime;

import org.trufflebpf.model.Helper;
import org.trufflebpf.runtime.maps.BpfMap;
import org.trufflebpf.runtime.maps.RingBuffer;
import org.trufflebpf.runtime.maps.StackTraceMap;

/**
 * What a helper call costs against the run's instruction budget, so the budget bounds time and not only
 * instructions: {@link #BASE} units for every helper call (on top of the call instruction itself, which its
 * block already paid for) plus one unit per {@link #BYTES_PER_UNIT} bytes the helper copies, hashes or
 * compares, rounded up. The cost is worked out from the arguments alone, before the helper runs, so both
 * engines charge the same amount at the same point and a call the budget cannot pay for does no work.
 * tail_call is not a helper here (each engine implements it) and costs only its instruction.
 */
public final class HelperCost {
    public static final long BASE = 1;
    /** A word per unit: about what the interpreter spends on one 8-byte load and store. */
    public static final long BYTES_PER_UNIT = 8;

    private HelperCost() {
    }

    /** The units helper {@code id} would cost with these arguments; bad arguments cost the base only. */
    public static long of(RunState state, long id, long r1, long r2, long r3, long r4) {
        return ofBytes(bytesOf(state, id, r1, r2, r3, r4));
    }

    /** The units of a helper call that handles {@code bytes} bytes (a lookup: its map's key size). */
    public static long ofBytes(long bytes) {
        return BASE + (bytes + BYTES_PER_UNIT - 1) / BYTES_PER_UNIT;
    }

    private static long bytesOf(RunState state, long id, long r1, long r2, long r3, long r4) {
        Helper helper = Helper.byId(id);
        if (helper == null) {
            return 0;
        }
        switch (helper) {
            case MAP_LOOKUP_ELEM, MAP_DELETE_ELEM -> {
                BpfMap map = state.map(r1);
                return map == null ? 0 : map.keySize();
            }
            case MAP_UPDATE_ELEM -> {
                BpfMap map = state.map(r1);
                return map == null ? 0 : (long) map.keySize() + map.valueSize();
            }
            case TRACE_PRINTK -> {
                return r2 > 0 && r2 <= 4096 ? r2 : 0;
            }
            case SKB_STORE_BYTES, SKB_LOAD_BYTES_RELATIVE -> {
                long length = r4 & 0xffffffffL;
                return length <= state.packetLength() ? length : 0;
            }
            case SKB_CHANGE_TAIL -> {
                // The bytes of the new packet the run allocates.
                long length = r2 & 0xffffffffL;
                return length <= 65536 ? length : 0;
            }
            case SKB_CHANGE_HEAD -> {
                long room = r2 & 0xffffffffL;
                return room <= 65536 ? state.packetLength() + room : 0;
            }
            case SKB_GET_TUNNEL_KEY, SKB_SET_TUNNEL_KEY, SKB_GET_TUNNEL_OPT, SKB_SET_TUNNEL_OPT -> {
                long size = r3 & 0xffffffffL;
                return size <= 256 ? size : 0;
            }
            case PROBE_READ, PROBE_READ_STR, PROBE_READ_USER, PROBE_READ_KERNEL, PROBE_READ_USER_STR, PROBE_READ_KERNEL_STR -> {
                // The verifier bounds the size by the destination; a bad one costs the base only.
                long size = r2 & 0xffffffffL;
                return size <= 65536 ? size : 0;
            }
            case FIB_LOOKUP -> {
                // A walk over the table's routes, about a params struct's worth of bytes each.
                return (long) FibLookup.PARAMS_SIZE + 64L * state.fib().routeCount();
            }
            case CLONE_REDIRECT -> {
                // The packet copied into the clone.
                return state.packetLength();
            }
            case GET_STACKID -> {
                // The stack's ips hashed and compared, at most a value's worth.
                return state.map(r2) instanceof StackTraceMap stacks ? stacks.valueSize() : 0;
            }
            case GET_STACK -> {
                long size = r3 & 0xffffffffL;
                return size <= 4096 ? size : 0;
            }
            case CSUM_DIFF -> {
                long bytes = (r2 & 0xffffffffL) + (r4 & 0xffffffffL);
                return bytes <= 2 * Integer.MAX_VALUE ? bytes : 0;
            }
            case PERF_EVENT_OUTPUT -> {
                // The size is in r5, which costs do not see; the packet bytes appended are charged.
                long packetBytes = (r3 >>> 32) & 0xfffff;
                return packetBytes <= state.packetLength() ? packetBytes : 0;
            }
            case SKB_LOAD_BYTES -> {
                long length = r4 & 0xffffffffL;
                return length <= state.packetLength() ? length : 0;
            }
            case RINGBUF_OUTPUT -> {
                return state.map(r1) instanceof RingBuffer ring && r3 > 0 && r3 <= ring.maxEntries() ? r3 : 0;
            }
            default -> {
                return 0;
            }
        }
    }

    /**
     * Charges a helper call to the run's budget, or throws {@link HelperBudgetExhausted}, charging nothing,
     * when the budget cannot pay for it. The engine must have written its cached budget back to the run first.
     */
    public static void charge(RunState state, long id, long r1, long r2, long r3, long r4) {
        long cost = of(state, id, r1, r2, r3, r4);
        long remaining = state.remainingBudget();
        if (remaining < cost) {
            throw new HelperBudgetExhausted(state.budgetMessage());
        }
        state.setRemainingBudget(remaining - cost);
    }
}
