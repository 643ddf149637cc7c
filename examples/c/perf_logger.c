// A packet logger in the style of monitoring datapaths (xdpdump, Cilium's monitor, the kernel's xdp samples):
// each IPv4 packet is parsed down to TCP or UDP and an event describing it goes to user space through
// bpf_perf_event_output into a perf event array that declares no max_entries, so the loader sizes it to the
// CPU count, as libbpf does. Per-kind counters sit in an array; every packet passes.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} events SEC(".maps");

enum counter {
    COUNT_TCP,
    COUNT_UDP,
    COUNT_OTHER_IP,
    COUNT_NOT_IP,
    COUNT_TRUNCATED,
    COUNT_LOST,
    COUNTERS,
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, COUNTERS);
    __type(key, __u32);
    __type(value, __u64);
} counters SEC(".maps");

// 20 bytes: addresses in network order, ports in host order, as a monitor prints them.
struct event {
    __be32 saddr;
    __be32 daddr;
    __u16 sport;
    __u16 dport;
    __u16 length;
    __u8 protocol;
    __u8 ttl;
    __u8 tcp_flags;
    __u8 pad[3];
};

static __always_inline void count(__u32 which)
{
    __u64 *value = bpf_map_lookup_elem(&counters, &which);

    if (value)
        __sync_fetch_and_add(value, 1);
}

SEC("xdp")
int perf_logger(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    struct event ev = {};
    struct iphdr *ip;
    void *l4;

    if ((void *)(eth + 1) > data_end) {
        count(COUNT_TRUNCATED);
        return XDP_PASS;
    }
    if (eth->h_proto != bpf_htons(ETH_P_IP)) {
        count(COUNT_NOT_IP);
        return XDP_PASS;
    }
    ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end || ip->ihl < 5) {
        count(COUNT_TRUNCATED);
        return XDP_PASS;
    }
    ev.saddr = ip->saddr;
    ev.daddr = ip->daddr;
    ev.protocol = ip->protocol;
    ev.ttl = ip->ttl;
    ev.length = data_end - data;
    l4 = (void *)ip + ip->ihl * 4;
    if (ip->protocol == IPPROTO_TCP) {
        struct tcphdr *tcp = l4;

        if ((void *)(tcp + 1) > data_end) {
            count(COUNT_TRUNCATED);
            return XDP_PASS;
        }
        ev.sport = bpf_ntohs(tcp->source);
        ev.dport = bpf_ntohs(tcp->dest);
        ev.tcp_flags = ((__u8 *)tcp)[13];
        count(COUNT_TCP);
    } else if (ip->protocol == IPPROTO_UDP) {
        struct udphdr *udp = l4;

        if ((void *)(udp + 1) > data_end) {
            count(COUNT_TRUNCATED);
            return XDP_PASS;
        }
        ev.sport = bpf_ntohs(udp->source);
        ev.dport = bpf_ntohs(udp->dest);
        count(COUNT_UDP);
    } else {
        count(COUNT_OTHER_IP);
    }
    if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &ev, sizeof(ev)) < 0)
        count(COUNT_LOST);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
