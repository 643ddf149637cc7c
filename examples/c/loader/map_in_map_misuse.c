// Misuses of a map of maps, refused by our verifier (MapInMapVerifierTest) and, but for read_inner_map, the kernel's, beside one
// correct use: the lookup result is an inner map only after its NULL check, is not memory, and its values have
// the inner template's size; programs may not update a map of maps.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner_map {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 4);
} inner SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 2);
    __type(key, __u32);
    __array(values, struct inner_map);
} outer SEC(".maps") = {
    .values = { [0] = &inner },
};

SEC("xdp")
int correct(struct xdp_md *ctx)
{
    __u32 key = 0;
    void *map = bpf_map_lookup_elem(&outer, &key);
    if (!map)
        return XDP_PASS;
    __u64 *value = bpf_map_lookup_elem(map, &key);
    return value ? (int)*value : XDP_DROP;
}

SEC("xdp")
int unchecked_inner(struct xdp_md *ctx)
{
    __u32 key = 0;
    void *map = bpf_map_lookup_elem(&outer, &key);
    __u64 *value = bpf_map_lookup_elem(map, &key);
    return value ? (int)*value : XDP_DROP;
}

SEC("xdp")
int read_inner_map(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *map = bpf_map_lookup_elem(&outer, &key);
    if (!map)
        return XDP_PASS;
    // The kernel lets programs read fields of its struct bpf_map here; our map objects are not memory at all.
    return (int)*map;
}

SEC("xdp")
int update_outer(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u32 value = 0;
    return bpf_map_update_elem(&outer, &key, &value, BPF_ANY);
}

SEC("xdp")
int past_inner_value(struct xdp_md *ctx)
{
    __u32 key = 0;
    void *map = bpf_map_lookup_elem(&outer, &key);
    if (!map)
        return XDP_PASS;
    // The inner template's values are 8 bytes: the second u64 lies past them.
    __u64 *value = bpf_map_lookup_elem(map, &key);
    return value ? (int)value[1] : XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
