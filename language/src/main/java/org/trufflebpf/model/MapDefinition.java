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

    /**
     * The largest value: the kernel allows up to KMALLOC_MAX_SIZE (4 MiB on x86-64) for arrays and a little
     * less for hashes; we take 1 MiB, so one helper copy of a value costs at most 2^17 budget units.
     */
    public static final int MAX_VALUE_SIZE = 1 << 20;
    /** Per-CPU values: the kernel's PCPU_MIN_UNIT_SIZE, since every CPU gets a copy. */
    public static final int MAX_PERCPU_VALUE_SIZE = 32 << 10;
    /** The kernel's limit for hash keys (MAX_BPF_STACK): a key is built on the program's stack. */
    public static final int MAX_KEY_SIZE = 512;
    /** Memory of one map (entries × rounded key and value, or the ring's size) before per-CPU copies. */
    public static final long MAX_MAP_BYTES = 256L << 20;

    /** Returns why the definition cannot be created, in the kernel's terms, or null when it is fine. */
    public String problem() {
        if (maxEntries <= 0) {
            return "max_entries must be positive";
        }
        String tooLarge = sizeProblem();
        if (tooLarge != null) {
            return tooLarge;
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
            case LPM_TRIE:
                return lpmProblem();
            case RINGBUF:
                if (keySize != 0 || valueSize != 0) {
                    return "a ring buffer has no key or value size";
                }
                return Integer.bitCount(maxEntries) != 1 || maxEntries % 4096 != 0 ? "ring buffer size must be a power of 2 and a multiple of the page size" : null;
            default:
                return null;
        }
    }

    /** BPF_F_NO_PREALLOC: the kernel creates an LPM trie only with it (its nodes are allocated per update). */
    public static final int BPF_F_NO_PREALLOC = 1;
    /** What trie_alloc accepts besides: BPF_F_NUMA_NODE and the access flags (BPF_F_RDONLY/WRONLY[_PROG]). */
    private static final int LPM_FLAGS_ALLOWED = BPF_F_NO_PREALLOC | 4 | 0x18 | 0x180;

    /** The kernel's trie_alloc checks: a u32 prefix length then 1 to 256 data bytes, a value, BPF_F_NO_PREALLOC. */
    private String lpmProblem() {
        if ((flags & BPF_F_NO_PREALLOC) == 0) {
            return "an LPM trie needs map_flags BPF_F_NO_PREALLOC";
        }
        if ((flags & ~LPM_FLAGS_ALLOWED) != 0) {
            return "map_flags 0x" + Integer.toHexString(flags) + " are not allowed for an LPM trie";
        }
        if (keySize < 5 || keySize > 4 + 256) {
            return "key size of an LPM trie must be 5 to 260 (a u32 prefix length and 1 to 256 data bytes), not " + keySize;
        }
        return valueSize <= 0 ? "value size must be positive" : null;
    }

    /** The map's size before per-CPU copies: entries of key and value, each rounded to 8 bytes (a ring: its data). */
    private long entryBytes() {
        return type == MapType.RINGBUF ? maxEntries : (long) maxEntries * (((Math.max(keySize, 0) + 7L) & ~7L) + ((Math.max(valueSize, 0) + 7L) & ~7L));
    }

    /** The memory the map takes with {@code cpus} CPUs: what a context's map-memory limit counts. */
    public long memoryBytes(int cpus) {
        boolean perCpu = type == MapType.PERCPU_ARRAY || type == MapType.PERCPU_HASH;
        return entryBytes() * (perCpu ? cpus : 1);
    }

    private String sizeProblem() {
        boolean perCpu = type == MapType.PERCPU_ARRAY || type == MapType.PERCPU_HASH;
        int valueLimit = perCpu ? MAX_PERCPU_VALUE_SIZE : MAX_VALUE_SIZE;
        if (keySize > MAX_KEY_SIZE) {
            return "key size " + keySize + " exceeds the limit of " + MAX_KEY_SIZE + " bytes";
        }
        if (valueSize > valueLimit) {
            return "value size " + valueSize + " exceeds the limit of " + valueLimit + " bytes" + (perCpu ? " for a per-CPU map" : "");
        }
        long bytes = entryBytes();
        if (bytes > MAX_MAP_BYTES) {
            return "max_entries " + maxEntries + " makes the map " + bytes + " bytes, over the limit of " + MAX_MAP_BYTES;
        }
        return null;
    }
}
