// LPM trie operations driven by the packet, so that a test can play the same sequence of updates, deletes and
// lookups on every engine and compare the helpers' results with the kernel's: the packet holds a command,
// the program returns the helper's result (lookups: the value found, or 0xffffffff for none).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct lpm_key {
    __u32 prefixlen;
    __u8 data[4];
};

struct command {
    __u8 op; // 0 lookup, 1 update, 2 delete
    __u8 pad[3];
    __u32 flags;
    struct lpm_key key;
    __u64 value;
};

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __type(key, struct lpm_key);
    __type(value, __u64);
    __uint(max_entries, 4);
    __uint(map_flags, BPF_F_NO_PREALLOC);
} prefixes SEC(".maps");

SEC("xdp")
int lpm_ops(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct command *cmd = data;
    if ((void *)(cmd + 1) > data_end)
        return XDP_ABORTED;
    struct lpm_key key = cmd->key;
    __u64 value = cmd->value;
    if (cmd->op == 1)
        return bpf_map_update_elem(&prefixes, &key, &value, cmd->flags);
    if (cmd->op == 2)
        return bpf_map_delete_elem(&prefixes, &key);
    __u64 *found = bpf_map_lookup_elem(&prefixes, &key);
    return found ? (__u32)*found : 0xffffffff;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
