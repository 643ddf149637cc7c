package org.trufflebpf.model;

import java.util.Locale;

/** Map types by their Linux numbers ({@code enum bpf_map_type}). */
public enum MapType {
    HASH(1),
    ARRAY(2),
    PROG_ARRAY(3),
    PERF_EVENT_ARRAY(4),
    PERCPU_HASH(5),
    PERCPU_ARRAY(6),
    STACK_TRACE(7),
    CGROUP_ARRAY(8),
    LRU_HASH(9),
    LPM_TRIE(11),
    ARRAY_OF_MAPS(12),
    HASH_OF_MAPS(13),
    DEVMAP(14),
    CPUMAP(16),
    XSKMAP(17),
    DEVMAP_HASH(25),
    RINGBUF(27);

    private final int linuxId;

    MapType(int linuxId) {
        this.linuxId = linuxId;
    }

    public int linuxId() {
        return linuxId;
    }

    /** Whether the map's values are other maps (the kernel's map-in-map). */
    public boolean isMapOfMaps() {
        return this == ARRAY_OF_MAPS || this == HASH_OF_MAPS;
    }

    /** Whether bpf_redirect_map may send packets to the map's entries (devices, CPUs, AF_XDP sockets). */
    public boolean isRedirectTarget() {
        return this == DEVMAP || this == DEVMAP_HASH || this == CPUMAP || this == XSKMAP;
    }

    /** The type with this Linux number, or null when we do not support it. */
    public static MapType byLinuxId(int id) {
        for (MapType type : values()) {
            if (type.linuxId == id) {
                return type;
            }
        }
        return null;
    }

    /** Parses a type as written in assembly or on the command line: {@code array}, {@code prog_array}, .... */
    public static MapType byName(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        if (upper.startsWith("BPF_MAP_TYPE_")) {
            upper = upper.substring("BPF_MAP_TYPE_".length());
        }
        for (MapType type : values()) {
            if (type.name().equals(upper)) {
                return type;
            }
        }
        return null;
    }
}
