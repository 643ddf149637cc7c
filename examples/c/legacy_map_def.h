/* struct bpf_map_def, for maps declared the legacy way in SEC("maps"): libbpf 1.0 dropped it from its headers,
 * and older projects (samples/bpf, iproute2's tc loaders) each carry a copy. The layout is the classic one. */
#ifndef LEGACY_MAP_DEF_H
#define LEGACY_MAP_DEF_H

struct bpf_map_def {
    unsigned int type;
    unsigned int key_size;
    unsigned int value_size;
    unsigned int max_entries;
    unsigned int map_flags;
};

#endif
