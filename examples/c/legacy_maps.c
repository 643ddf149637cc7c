// A map declared the legacy way: struct bpf_map_def in SEC("maps"), as before BTF-defined maps.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "legacy_map_def.h"

struct bpf_map_def SEC("maps") legacy_counts = {
    .type = BPF_MAP_TYPE_ARRAY,
    .key_size = sizeof(__u32),
    .value_size = sizeof(__u64),
    .max_entries = 8,
};

struct bpf_map_def SEC("maps") legacy_hash = {
    .type = BPF_MAP_TYPE_HASH,
    .key_size = sizeof(__u64),
    .value_size = sizeof(__u32),
    .max_entries = 64,
    .map_flags = 1,
};

SEC("socket")
int legacy_count(struct __sk_buff *skb)
{
    __u32 key = skb->len & 7;
    __u64 *value = bpf_map_lookup_elem(&legacy_counts, &key);
    if (value)
        *value += 1;
    __u64 hkey = skb->len;
    __u32 one = 1;
    bpf_map_update_elem(&legacy_hash, &hkey, &one, BPF_ANY);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
