// Two faulty programs whose errors name their C lines. unchecked_packet_read reads the packet's first byte
// without comparing the packet's start with its end first: the verifier rejects it (line 28). out_of_bounds reads past the end of a map value (the value is one
// __u64, the program reads the fourth): the verifier rejects it, and unverified the run-time check stops it (line 21).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 1);
} values SEC(".maps");

SEC("xdp")
int out_of_bounds(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *value = bpf_map_lookup_elem(&values, &key);
    if (!value)
        return XDP_PASS;
    return value[3];
}

SEC("xdp")
int unchecked_packet_read(struct xdp_md *ctx)
{
    __u8 *data = (void *)(long)ctx->data;
    return data[0];
}

char LICENSE[] SEC("license") = "GPL";
