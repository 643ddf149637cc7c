// Packet events through a ring buffer: an IPv4 packet's record is reserved in the ring, filled in place and
// submitted (or discarded when the TTL has run out); any other packet's record is built on the stack and copied
// with bpf_ringbuf_output. Returns XDP_PASS when a record was written, XDP_DROP when it was discarded, and
// XDP_ABORTED when the ring was full (the host had not consumed enough).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define EVENT_IPV4 1
#define EVENT_OTHER 2

// 24 bytes and no padding, so that every byte a record holds is written; 32 in the ring with its header.
struct event {
    __u32 len;
    __u16 eth_proto;
    __u8 kind;
    __u8 ttl;
    __u8 dst[ETH_ALEN];
    __u8 src[ETH_ALEN];
    __u8 ip_proto;
    __u8 reserved[3];
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} events SEC(".maps");

static __always_inline void describe(struct event *e, struct ethhdr *eth, void *data, void *data_end, __u8 kind)
{
    __builtin_memset(e, 0, sizeof(*e));
    e->len = data_end - data;
    e->eth_proto = eth->h_proto;
    e->kind = kind;
    __builtin_memcpy(e->dst, eth->h_dest, ETH_ALEN);
    __builtin_memcpy(e->src, eth->h_source, ETH_ALEN);
}

SEC("xdp")
int xdp_events(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if (eth->h_proto != bpf_htons(ETH_P_IP) || (void *)(ip + 1) > data_end) {
        struct event copy;
        describe(&copy, eth, data, data_end, EVENT_OTHER);
        return bpf_ringbuf_output(&events, &copy, sizeof(copy), 0) ? XDP_ABORTED : XDP_PASS;
    }
    struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e)
        return XDP_ABORTED;
    describe(e, eth, data, data_end, EVENT_IPV4);
    e->ttl = ip->ttl;
    e->ip_proto = ip->protocol;
    if (ip->ttl == 0) {
        bpf_ringbuf_discard(e, 0);
        return XDP_DROP;
    }
    bpf_ringbuf_submit(e, 0);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
