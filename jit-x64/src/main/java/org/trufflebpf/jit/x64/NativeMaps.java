package org.trufflebpf.jit.x64;

import org.trufflebpf.runtime.maps.ArrayMap;
import org.trufflebpf.runtime.maps.BpfMap;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.runtime.maps.ProgArray;

/**
 * What {@code lddw} map references become in native code: the runtime's maps at their native addresses, the
 * same ones the interpreter uses. A prog array's address is its native header ({@link ProgArray}: u32
 * max_entries, then 8-byte entry addresses from {@link ProgArray#SLOTS_OFFSET}).
 */
record NativeMaps(MapSet maps) {

    /** The value {@code lddw map:INDEX} loads. */
    long mapPointer(int mapIndex) {
        return map(mapIndex).address();
    }

    /** The value {@code lddw map_value:INDEX+OFFSET} loads: inside the value of a single-entry array. */
    long valuePointer(int mapIndex, int offset) {
        if (!(map(mapIndex) instanceof ArrayMap array) || array.maxEntries() != 1) {
            throw new IllegalArgumentException("direct value access needs a single-entry array, not " + map(mapIndex));
        }
        if (Integer.toUnsignedLong(offset) >= array.valueSize()) {
            throw new IllegalArgumentException("offset " + Integer.toUnsignedLong(offset) + " is outside the value of " + array);
        }
        return array.valueAddress(0) + offset;
    }

    boolean isProgArray(int mapIndex) {
        return map(mapIndex) instanceof ProgArray;
    }

    private BpfMap map(int mapIndex) {
        if (mapIndex < 0 || mapIndex >= maps.size()) {
            throw new IllegalArgumentException("no map " + mapIndex);
        }
        return maps.get(mapIndex);
    }
}
