// Context fields given as input to a run (BPF_PROG_TEST_RUN's ctx_in; bpf run --ctx FILE): each program
// records what it reads from its context in an array map and writes the fields the kernel reports back
// (ctx_out), so that the three engines can be compared on both.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 16);
} skb_seen SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 4);
} xdp_seen SEC(".maps");

static __always_inline void record(void *map, __u32 slot, __u64 value)
{
    bpf_map_update_elem(map, &slot, &value, BPF_ANY);
}

SEC("tc")
int tc_context(struct __sk_buff *skb)
{
    record(&skb_seen, 0, skb->mark);
    record(&skb_seen, 1, skb->priority);
    record(&skb_seen, 2, skb->cb[0]);
    record(&skb_seen, 3, skb->cb[1]);
    record(&skb_seen, 4, skb->cb[2]);
    record(&skb_seen, 5, skb->cb[3]);
    record(&skb_seen, 6, skb->cb[4]);
    record(&skb_seen, 7, skb->ingress_ifindex);
    record(&skb_seen, 8, skb->ifindex);
    record(&skb_seen, 9, skb->wire_len);
    record(&skb_seen, 10, skb->gso_segs);
    record(&skb_seen, 11, skb->gso_size);
    record(&skb_seen, 12, skb->tstamp);
    record(&skb_seen, 13, skb->hwtstamp);
    record(&skb_seen, 14, skb->len);
    // Written back: the kernel's ctx_out reports mark, priority, tstamp and cb[].
    skb->mark = skb->mark + 1;
    skb->priority = skb->priority * 2;
    skb->cb[0] = skb->cb[0] ^ 0xffff;
    skb->cb[4] = skb->cb[1] + skb->cb[2];
    skb->tstamp = skb->tstamp + 1000;
    return skb->mark & 1 ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("socket")
int socket_context(struct __sk_buff *skb)
{
    record(&skb_seen, 0, skb->mark);
    record(&skb_seen, 1, skb->priority);
    record(&skb_seen, 2, skb->cb[0]);
    record(&skb_seen, 3, skb->cb[1]);
    record(&skb_seen, 4, skb->cb[2]);
    record(&skb_seen, 5, skb->cb[3]);
    record(&skb_seen, 6, skb->cb[4]);
    record(&skb_seen, 7, skb->ingress_ifindex);
    record(&skb_seen, 8, skb->ifindex);
    record(&skb_seen, 10, skb->gso_segs);
    record(&skb_seen, 11, skb->gso_size);
    record(&skb_seen, 14, skb->len);
    // Socket filters may write cb[] only.
    skb->cb[1] = skb->cb[0] + skb->mark;
    skb->cb[3] = skb->priority;
    return skb->len - skb->cb[2] % 8;
}

SEC("xdp")
int xdp_context(struct xdp_md *ctx)
{
    record(&xdp_seen, 0, ctx->ingress_ifindex);
    record(&xdp_seen, 1, ctx->rx_queue_index);
    record(&xdp_seen, 2, ctx->data_end - ctx->data);
    return ctx->ingress_ifindex == 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
