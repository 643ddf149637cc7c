package org.trufflebpf.jit.x64;

import java.util.Map;
import java.util.TreeMap;

/** First-fit bookkeeping of the free parts of one address range, coalescing neighbours as they come back. */
final class FreeRanges {
    /** Start → length, no two touching. */
    private final TreeMap<Long, Long> free = new TreeMap<>();

    FreeRanges(long start, long length) {
        free.put(start, length);
    }

    /** The start of {@code length} free bytes, now taken; -1 when no free range is long enough. */
    long take(long length) {
        for (Map.Entry<Long, Long> range : free.entrySet()) {
            // Read before the removal: TreeMap may reuse the removed entry's node for its successor.
            long start = range.getKey();
            long available = range.getValue();
            if (available >= length) {
                free.remove(start);
                if (available > length) {
                    free.put(start + length, available - length);
                }
                return start;
            }
        }
        return -1;
    }

    /** Gives back {@code [start, start + length)}, which {@link #take} handed out. */
    void give(long start, long length) {
        long end = start + length;
        Long after = free.remove(end);
        if (after != null) {
            length += after;
        }
        Map.Entry<Long, Long> before = free.floorEntry(start);
        if (before != null && before.getKey() + before.getValue() == start) {
            free.put(before.getKey(), before.getValue() + length);
        } else {
            free.put(start, length);
        }
    }
}
