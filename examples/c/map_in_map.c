// Maps in maps driven by the packet, so that a test can play the same commands on every engine and compare
// with the kernel: an array of maps and a hash of maps whose inner maps are hashes (two given in '.values').
// The packet names the outer map, the outer key, an inner key and a value; the program returns the inner
// helper's result (lookups: the value, 0xffffffff for no entry, 0x7ffffffe for no inner map).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner_map {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 4);
} inner_a SEC(".maps"), inner_b SEC(".maps"), inner_spare SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 8);
} inner_bigger SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, struct inner_map);
} by_index SEC(".maps") = {
    .values = { [0] = &inner_a, [2] = &inner_b },
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
    __uint(max_entries, 2);
    __type(key, __u32);
    __array(values, struct inner_map);
} by_hash SEC(".maps") = {
    .values = { [1] = &inner_b },
};

struct command {
    __u8 op; // 0 lookup, 1 update, 2 delete
    __u8 outer; // 0 by_index, 1 by_hash
    __u8 pad[2];
    __u32 outer_key;
    __u32 inner_key;
    __u32 flags;
    __u64 value;
};

SEC("xdp")
int map_in_map(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct command *cmd = data;
    if ((void *)(cmd + 1) > data_end)
        return XDP_ABORTED;
    __u32 outer_key = cmd->outer_key;
    __u32 inner_key = cmd->inner_key;
    __u64 value = cmd->value;
    void *inner = cmd->outer ? bpf_map_lookup_elem(&by_hash, &outer_key) : bpf_map_lookup_elem(&by_index, &outer_key);
    if (!inner)
        return 0x7ffffffe;
    if (cmd->op == 1)
        return bpf_map_update_elem(inner, &inner_key, &value, cmd->flags);
    if (cmd->op == 2)
        return bpf_map_delete_elem(inner, &inner_key);
    __u64 *found = bpf_map_lookup_elem(inner, &inner_key);
    return found ? (__u32)*found : 0xffffffff;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
