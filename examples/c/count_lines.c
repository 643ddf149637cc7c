// A small program whose executed lines can be counted by hand: over an 8-byte packet whose first byte is 3,
// the loop body runs three times and the "too short" branch never does. The coverage test checks exactly that.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 1);
} total SEC(".maps");

SEC("xdp")
int count_lines(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    unsigned char *data_end = (void *)(long)ctx->data_end;
    if (data + 8 > data_end)
        return XDP_ABORTED;
    __u64 sum = 0;
    for (int i = 0; i < (data[0] & 7); i++)
        sum += data[1 + i];
    __u32 key = 0;
    __u64 *slot = bpf_map_lookup_elem(&total, &key);
    if (slot)
        *slot += sum;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
