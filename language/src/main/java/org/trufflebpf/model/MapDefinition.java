package org.trufflebpf.model;

import java.util.Map;

/**
 * A map as a program declares it. Global data sections ({@code .data}, {@code .rodata}, {@code .bss}) are
 * single-entry arrays whose value is the section, with its initial bytes in {@link #initialValue()}. A prog
 * array may name the programs it starts with in {@link #initialPrograms()} (slot → program name).
 *
 * @param name            the map's symbol name, or the section name for global data
 * @param type            the map type
 * @param keySize         key size in bytes
 * @param valueSize       value size in bytes
 * @param maxEntries      capacity
 * @param flags           {@code map_flags} as declared
 * @param initialValue    initial bytes of entry 0 for global data, else null
 * @param initialPrograms initial prog-array slots, empty for other maps
 * @param readOnly        true for {@code .rodata}: programs may not store into it
 */
public record MapDefinition(String name, MapType type, int keySize, int valueSize, int maxEntries, int flags, byte[] initialValue,
                Map<Integer, String> initialPrograms, boolean readOnly) {

    public MapDefinition {
        initialPrograms = Map.copyOf(initialPrograms);
    }

    public static MapDefinition of(String name, MapType type, int keySize, int valueSize, int maxEntries) {
        return new MapDefinition(name, type, keySize, valueSize, maxEntries, 0, null, Map.of(), false);
    }

    /** A global-data map: one entry holding the section's bytes. */
    public static MapDefinition globalData(String section, byte[] contents, boolean readOnly) {
        return new MapDefinition(section, MapType.ARRAY, 4, contents.length, 1, 0, contents, Map.of(), readOnly);
    }

    public MapDefinition withInitialPrograms(Map<Integer, String> programs) {
        return new MapDefinition(name, type, keySize, valueSize, maxEntries, flags, initialValue, programs, readOnly);
    }

    public boolean isGlobalData() {
        return initialValue != null;
    }

    /** Returns why the definition cannot be created, in the kernel's terms, or null when it is fine. */
    public String problem() {
        if (maxEntries <= 0) {
            return "max_entries must be positive";
        }
        switch (type) {
            case ARRAY, PERCPU_ARRAY, PROG_ARRAY:
                if (keySize != 4) {
                    return "key size of an array must be 4, not " + keySize;
                }
                if (type == MapType.PROG_ARRAY && valueSize != 4) {
                    return "value size of a prog array must be 4, not " + valueSize;
                }
                return valueSize <= 0 ? "value size must be positive" : null;
            case HASH, LRU_HASH, PERCPU_HASH:
                if (keySize <= 0 || valueSize <= 0) {
                    return "key and value sizes must be positive";
                }
                return null;
            case RINGBUF:
                if (keySize != 0 || valueSize != 0) {
                    return "a ring buffer has no key or value size";
                }
                return Integer.bitCount(maxEntries) != 1 || maxEntries % 4096 != 0 ? "ring buffer size must be a power of 2 and a multiple of the page size" : null;
            default:
                return null;
        }
    }
}
