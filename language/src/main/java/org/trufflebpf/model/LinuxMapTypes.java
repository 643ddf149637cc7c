package org.trufflebpf.model;

import java.util.Locale;
/**
 * The names of every Linux map type ({@code enum bpf_map_type}), supported or not, so that a map we cannot
 * create is refused by its Linux name ({@code lpm_trie}, {@code BPF_MAP_TYPE_LPM_TRIE}) rather than a number.
 */
public final class LinuxMapTypes {
    private LinuxMapTypes() {
    }

    /** By Linux number, from 0 (BPF_MAP_TYPE_UNSPEC). */
    private static final String[] NAMES = {"unspec", "hash", "array", "prog_array", "perf_event_array", "percpu_hash", "percpu_array", "stack_trace",
                    "cgroup_array", "lru_hash", "lru_percpu_hash", "lpm_trie", "array_of_maps", "hash_of_maps", "devmap", "sockmap", "cpumap", "xskmap",
                    "sockhash", "cgroup_storage", "reuseport_sockarray", "percpu_cgroup_storage", "queue", "stack", "sk_storage", "devmap_hash", "struct_ops",
                    "ringbuf", "inode_storage", "task_storage", "bloom_filter", "user_ringbuf", "cgrp_storage", "arena"};

    /** {@code lpm_trie (BPF_MAP_TYPE_LPM_TRIE)}, or {@code map type 99} for a number Linux does not define. */
    public static String describe(int linuxId) {
        if (linuxId < 0 || linuxId >= NAMES.length) {
            return "map type " + Integer.toUnsignedString(linuxId);
        }
        return NAMES[linuxId] + " (BPF_MAP_TYPE_" + NAMES[linuxId].toUpperCase(Locale.ROOT) + ")";
    }
}
