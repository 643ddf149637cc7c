// bpf_redirect_map through each redirect target, driven by the packet so that a test can compare every engine
// with the kernel: the packet names the map, the key and the flags; the program returns the helper's action.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 4);
} tx_ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
    __type(key, __u32);
    __type(value, struct bpf_devmap_val);
    __uint(max_entries, 4);
} tx_by_id SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_CPUMAP);
    __type(key, __u32);
    __type(value, struct bpf_cpumap_val);
    __uint(max_entries, 2);
} cpus SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 4);
} sockets SEC(".maps");

struct command {
    __u32 map; // 0 tx_ports, 1 tx_by_id, 2 cpus, 3 sockets
    __u32 key;
    __u64 flags;
};

SEC("xdp")
int redirect_targets(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct command *cmd = data;
    if ((void *)(cmd + 1) > data_end)
        return XDP_ABORTED;
    __u32 key = cmd->key;
    __u64 flags = cmd->flags;
    switch (cmd->map) {
    case 0:
        return bpf_redirect_map(&tx_ports, key, flags);
    case 1:
        return bpf_redirect_map(&tx_by_id, key, flags);
    case 2:
        return bpf_redirect_map(&cpus, key, flags);
    default:
        return bpf_redirect_map(&sockets, key, flags);
    }
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
