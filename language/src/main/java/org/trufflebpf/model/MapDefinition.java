package org.trufflebpf.model;

import java.util.Locale;
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
 * @param inner           for a map of maps, the template every inner map must match (as the kernel's
 *                        {@code inner_map_meta}); null for other maps
 * @param initialMaps     initial slots of a map of maps (u32 key → name of a map of the same object), else empty
 */
public record MapDefinition(String name, MapType type, int keySize, int valueSize, int maxEntries, int flags, byte[] initialValue,
                Map<Integer, String> initialPrograms, boolean readOnly, MapDefinition inner, Map<Integer, String> initialMaps) {

    public MapDefinition {
        initialPrograms = Map.copyOf(initialPrograms);
        initialMaps = Map.copyOf(initialMaps);
    }

    /** A map that holds no other maps. */
    public MapDefinition(String name, MapType type, int keySize, int valueSize, int maxEntries, int flags, byte[] initialValue,
                    Map<Integer, String> initialPrograms, boolean readOnly) {
        this(name, type, keySize, valueSize, maxEntries, flags, initialValue, initialPrograms, readOnly, null, Map.of());
    }

    /** A map of maps whose inner maps match {@code inner}. */
    public static MapDefinition ofMaps(String name, MapType type, int keySize, int maxEntries, int flags, MapDefinition inner) {
        return new MapDefinition(name, type, keySize, 4, maxEntries, flags, null, Map.of(), false, inner, Map.of());
    }

    /** BPF_F_INNER_MAP on an inner map template: inner maps may differ from it in max_entries. */
    public static final int BPF_F_INNER_MAP = 1 << 12;

    public MapDefinition withInitialMaps(Map<Integer, String> maps) {
        return new MapDefinition(name, type, keySize, valueSize, maxEntries, flags, initialValue, initialPrograms, readOnly, inner, maps);
    }

    /**
     * Why {@code candidate} cannot be an inner map of this map of maps, in the kernel's terms
     * ({@code bpf_map_meta_equal}: same type, key and value size and map_flags; for arrays also max_entries,
     * unless the template has BPF_F_INNER_MAP, since array lookups are checked against the template's), or null.
     */
    public String innerMismatch(MapDefinition candidate) {
        if (candidate.type() != inner.type()) {
            return "it is of type " + LinuxMapTypes.describe(candidate.type().linuxId()) + ", not " + LinuxMapTypes.describe(inner.type().linuxId());
        }
        if (candidate.keySize() != inner.keySize() || candidate.valueSize() != inner.valueSize()) {
            return "its key and value sizes are " + candidate.keySize() + " and " + candidate.valueSize() + ", not " + inner.keySize() + " and " + inner.valueSize();
        }
        if (candidate.flags() != inner.flags()) {
            return "its map_flags 0x" + Integer.toHexString(candidate.flags()) + " differ from the template's 0x" + Integer.toHexString(inner.flags());
        }
        boolean array = inner.type() == MapType.ARRAY || inner.type() == MapType.PERCPU_ARRAY;
        if (array && (inner.flags() & BPF_F_INNER_MAP) == 0 && candidate.maxEntries() != inner.maxEntries()) {
            return "its max_entries " + candidate.maxEntries() + " differ from the template's " + inner.maxEntries() + " (the template lacks BPF_F_INNER_MAP)";
        }
        return null;
    }

    public static MapDefinition of(String name, MapType type, int keySize, int valueSize, int maxEntries) {
        return new MapDefinition(name, type, keySize, valueSize, maxEntries, 0, null, Map.of(), false);
    }

    /** A global-data map: one entry holding the section's bytes. */
    public static MapDefinition globalData(String section, byte[] contents, boolean readOnly) {
        return new MapDefinition(section, MapType.ARRAY, 4, contents.length, 1, 0, contents, Map.of(), readOnly);
    }

    public MapDefinition withInitialPrograms(Map<Integer, String> programs) {
        return new MapDefinition(name, type, keySize, valueSize, maxEntries, flags, initialValue, programs, readOnly, inner, initialMaps);
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
            case ARRAY_OF_MAPS, HASH_OF_MAPS:
                return mapOfMapsProblem();
            case DEVMAP, DEVMAP_HASH, CPUMAP, XSKMAP:
                return redirectTargetProblem();
            case STACK_TRACE:
                return stackTraceProblem();
            case CGROUP_ARRAY:
                return cgroupArrayProblem();
            case RINGBUF:
                if (keySize != 0 || valueSize != 0) {
                    return "a ring buffer has no key or value size";
                }
                return Integer.bitCount(maxEntries) != 1 || maxEntries % 4096 != 0 ? "ring buffer size must be a power of 2 and a multiple of the page size" : null;
            default:
                return null;
        }
    }

    /**
     * The kernel's checks of redirect targets: a u32 key; a u32 value (ifindex, queue size, socket), or for
     * devmaps and cpumaps 8 bytes with a program fd after it.
     */
    private String redirectTargetProblem() {
        if (keySize != 4) {
            return "key size of a " + type.name().toLowerCase(Locale.ROOT) + " must be 4, not " + keySize;
        }
        boolean programSlot = type != MapType.XSKMAP;
        if (valueSize != 4 && !(programSlot && valueSize == 8)) {
            return "value size of a " + type.name().toLowerCase(Locale.ROOT) + " must be 4" + (programSlot ? " or 8" : "") + ", not " + valueSize;
        }
        return null;
    }

    /** The kernel's checks of a map of maps (array_of_map_alloc_check, bpf_map_meta_alloc) and of its template. */
    private String mapOfMapsProblem() {
        if (type == MapType.ARRAY_OF_MAPS && keySize != 4) {
            return "key size of an array of maps must be 4, not " + keySize;
        }
        if (keySize <= 0) {
            return "key size must be positive";
        }
        if (valueSize != 4) {
            return "value size of a map of maps must be 4 (an inner map id), not " + valueSize;
        }
        if (inner == null) {
            return "a map of maps needs an inner map template (__array(values, struct ...))";
        }
        switch (inner.type()) {
            case ARRAY, PERCPU_ARRAY, HASH, LRU_HASH, PERCPU_HASH, LPM_TRIE:
                break;
            case ARRAY_OF_MAPS, HASH_OF_MAPS:
                return "more than one level of maps in maps is not supported (the kernel refuses it too)";
            default:
                return "inner maps of type " + LinuxMapTypes.describe(inner.type().linuxId()) + " are not supported";
        }
        String problem = inner.problem();
        return problem == null ? null : "inner map template: " + problem;
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

    /** The kernel's sysctl_perf_event_max_stack default: the deepest stack a stack trace map records. */
    public static final int PERF_EVENT_MAX_STACK = 127;
    /** What stack_map_alloc accepts: BPF_F_NUMA_NODE, the access flags, BPF_F_STACK_BUILD_ID (refused here). */
    private static final int STACK_FLAGS_ALLOWED = 4 | 0x18 | 0x20;
    /** BPF_F_STACK_BUILD_ID: values of build ids and offsets, which need the kernel's view of loaded files. */
    public static final int BPF_F_STACK_BUILD_ID = 0x20;

    /** The kernel's stack_map_alloc checks: a u32 key and u64 ips up to perf's stack limit. */
    private String stackTraceProblem() {
        if ((flags & ~STACK_FLAGS_ALLOWED) != 0) {
            return "map_flags 0x" + Integer.toHexString(flags) + " are not allowed for a stack trace map";
        }
        if (keySize != 4) {
            return "key size of a stack trace map must be 4 (a stack id), not " + keySize;
        }
        if ((flags & BPF_F_STACK_BUILD_ID) != 0) {
            // The kernel's checks first (32-byte struct bpf_stack_build_id values), then our refusal.
            if (valueSize <= 0 || valueSize % 32 != 0 || valueSize / 32 > PERF_EVENT_MAX_STACK) {
                return "value size of a stack trace map with BPF_F_STACK_BUILD_ID must be a positive multiple of 32, not " + valueSize;
            }
            return "BPF_F_STACK_BUILD_ID is not supported: a run outside the kernel has no build ids of loaded files";
        }
        if (valueSize < 8 || valueSize % 8 != 0) {
            return "value size of a stack trace map must be a positive multiple of 8 (u64 ips), not " + valueSize;
        }
        if (valueSize / 8 > PERF_EVENT_MAX_STACK) {
            return "value size " + valueSize + " of a stack trace map holds more than " + PERF_EVENT_MAX_STACK + " ips (perf_event_max_stack)";
        }
        return null;
    }

    /** What an fd array takes (array_map_alloc_check less the _PROG access flags): BPF_F_NUMA_NODE, BPF_F_RDONLY/WRONLY. */
    private static final int FD_ARRAY_FLAGS_ALLOWED = 4 | 0x18;

    /** The kernel's fd_array_map_alloc_check: a u32 key, a u32 value (a cgroup fd). */
    private String cgroupArrayProblem() {
        if ((flags & ~FD_ARRAY_FLAGS_ALLOWED) != 0) {
            return "map_flags 0x" + Integer.toHexString(flags) + " are not allowed for a cgroup array";
        }
        if (keySize != 4) {
            return "key size of a cgroup array must be 4, not " + keySize;
        }
        return valueSize != 4 ? "value size of a cgroup array must be 4 (a cgroup fd), not " + valueSize : null;
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
