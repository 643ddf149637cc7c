// Benchmark 'hashmap': lookup/update-heavy use of a BPF hash map (core in cores.h).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

static __always_inline __u64 map_count(__u32 key)
{
    __u64 *value = bpf_map_lookup_elem(&counts, &key);
    if (value)
        return ++*value;
    __u64 one = 1;
    bpf_map_update_elem(&counts, &key, &one, BPF_ANY);
    return 1;
}
#define MAP_COUNT(key) map_count(key)
#include "cores.h"

SEC("bench")
u64 hashmap(const u8 *mem, u64 len)
{
    return core_hashmap(mem, len);
}

char LICENSE[] SEC("license") = "GPL";
