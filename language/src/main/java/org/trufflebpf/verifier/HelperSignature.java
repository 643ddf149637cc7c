package org.trufflebpf.verifier;

import java.util.Map;
import java.util.Set;

/**
 * What the verifier assumes about a helper: how many of r1-r5 it reads, whether it may write through a
 * pointer it is given, and for map helpers which register holds the map and which point at a key or value
 * of that map's sizes. Ids are Linux's. A helper that a caller allows but that is not listed here is treated
 * as reading no argument registers and possibly writing through every pointer argument.
 *
 * @param id            the helper id
 * @param name          the Linux name, for messages
 * @param argumentCount how many of r1..r5 the helper reads; they must be written
 * @param writesMemory  the helper may store through a pointer argument (for example into a stack buffer)
 * @param mapArgument   the register that must hold a map reference ({@code lddw map:}), or 0
 * @param keyArgument   the register pointing at a key of the map's key size, or 0
 * @param valueArgument the register pointing at a value of the map's value size, or 0
 */
public record HelperSignature(int id, String name, int argumentCount, boolean writesMemory, int mapArgument, int keyArgument,
                int valueArgument) {

    public static final int TAIL_CALL = 12;

    private static final Map<Integer, HelperSignature> STANDARD = Map.ofEntries(
                    mapEntry(1, "map_lookup_elem", 2, 2, 0),
                    mapEntry(2, "map_update_elem", 4, 2, 3),
                    mapEntry(3, "map_delete_elem", 2, 2, 0),
                    entry(5, "ktime_get_ns", 0, false),
                    entry(6, "trace_printk", 2, false),
                    entry(7, "get_prandom_u32", 0, false),
                    entry(8, "get_smp_processor_id", 0, false),
                    entry(TAIL_CALL, "tail_call", 3, false),
                    entry(14, "get_current_pid_tgid", 0, false),
                    entry(26, "skb_load_bytes", 4, true),
                    entry(44, "xdp_adjust_head", 2, false),
                    entry(125, "ktime_get_boot_ns", 0, false),
                    mapEntry(130, "ringbuf_output", 4, 0, 0),
                    mapEntry(131, "ringbuf_reserve", 3, 0, 0),
                    entry(132, "ringbuf_submit", 2, false),
                    entry(133, "ringbuf_discard", 2, false));

    private static Map.Entry<Integer, HelperSignature> entry(int id, String name, int args, boolean writes) {
        return Map.entry(id, new HelperSignature(id, name, args, writes, 0, 0, 0));
    }

    /** A helper taking a map in r1, maybe with a key and a value pointer. */
    private static Map.Entry<Integer, HelperSignature> mapEntry(int id, String name, int args, int key, int value) {
        return Map.entry(id, new HelperSignature(id, name, args, false, 1, key, value));
    }

    /**
     * Per helper id, besides map keys and values, the argument registers that must point at memory (Linux's
     * ARG_PTR_TO_MEM and ARG_PTR_TO_ALLOC_MEM): the printk format, the skb_load_bytes destination, the
     * ringbuf_output data and the record to submit or discard. None of them accepts NULL.
     */
    private static final Map<Integer, Integer> BUFFER_ARGUMENTS = Map.of(
                    6, 1 << 1,
                    26, 1 << 3,
                    130, 1 << 2,
                    132, 1 << 1,
                    133, 1 << 1);

    /** Bit r is set when r must hold a pointer to memory (a key, a value, a buffer): a scalar there is refused. */
    int memoryArguments() {
        int mask = BUFFER_ARGUMENTS.getOrDefault(id, 0);
        if (keyArgument != 0) {
            mask |= 1 << keyArgument;
        }
        if (valueArgument != 0) {
            mask |= 1 << valueArgument;
        }
        return mask;
    }

    /**
     * What r0 holds after the call: a maybe-NULL map value (map_lookup_elem) or ring-buffer record
     * (ringbuf_reserve), else a number. A helper without a signature is taken to return a number too, so its
     * result cannot be dereferenced.
     */
    Value result() {
        return switch (id) {
            case 1 -> new Value.MemoryPointer(PointerKind.MAP_VALUE, true);
            case 131 -> new Value.MemoryPointer(PointerKind.RINGBUF_RECORD, true);
            default -> Value.UNKNOWN;
        };
    }

    /**
     * Whether a call may move the packet's data, so that pointers into it are stale afterwards:
     * bpf_xdp_adjust_head, and any helper without a signature here (the verifier cannot tell).
     */
    static boolean movesPacket(int id) {
        return id == 44 || !STANDARD.containsKey(id);
    }

    /** The ids of the helpers both engines implement. */
    public static Set<Integer> standardIds() {
        return STANDARD.keySet();
    }

    /** The signature of a helper id; an unlisted id gets the cautious default (no checked reads, may write). */
    public static HelperSignature of(int id) {
        HelperSignature known = STANDARD.get(id);
        return known != null ? known : new HelperSignature(id, "helper " + id, 0, true, 0, 0, 0);
    }

    /**
     * Argument registers through which the helper may see a pointer: the declared arguments, or all of r1-r5
     * for a helper we know nothing about.
     */
    public int pointerArgumentCount() {
        return STANDARD.containsKey(id) ? argumentCount : 5;
    }
}
