// Events to user space as older tracing and networking projects declare them: a perf event array in
// SEC("maps") with max_entries 0 (libbpf sizes it to the number of CPUs), and a ring buffer declared with the
// type of its records (__type(value, ...)), which libbpf creates without a value size.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "../legacy_map_def.h"

struct event {
    __u32 len;
    __u32 ifindex;
};

struct bpf_map_def SEC("maps") perf_events = {
    .type = BPF_MAP_TYPE_PERF_EVENT_ARRAY,
    .key_size = sizeof(int),
    .value_size = sizeof(__u32),
    .max_entries = 0,
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __type(value, struct event);
    __uint(max_entries, 4096);
} ring_events SEC(".maps");

SEC("xdp")
int to_perf(struct xdp_md *ctx)
{
    struct event e = {.len = ctx->data_end - ctx->data, .ifindex = ctx->ingress_ifindex};
    bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, &e, sizeof(e));
    return XDP_PASS;
}

SEC("xdp")
int to_ring(struct xdp_md *ctx)
{
    struct event e = {.len = ctx->data_end - ctx->data, .ifindex = ctx->ingress_ifindex};
    bpf_ringbuf_output(&ring_events, &e, sizeof(e), 0);
    return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
