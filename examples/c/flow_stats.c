// Per-flow statistics of a tc classifier, for readable map output: a hash map keyed by a struct, a struct
// value with an enum and bitfields, and a struct in .bss. Drops TCP to port 23, lets everything else pass.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct flow {
    __u32 saddr;    /* host byte order */
    __u32 daddr;
    __u16 dport;
    __u8 proto;
    __u8 pad;
};

enum verdict { VERDICT_PASS = 1, VERDICT_DROP = 2 };

struct stats {
    __u64 packets;
    __u64 bytes;
    enum verdict last;
    __u32 syn : 1, fin : 1, ttl : 8;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, struct flow);
    __type(value, struct stats);
    __uint(max_entries, 64);
} flows SEC(".maps");

struct totals {
    __u64 packets;
    __u64 dropped;
} totals;           /* .bss */

SEC("tc")
int flow_stats(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
        return TC_ACT_OK;
    struct flow key = {.saddr = bpf_ntohl(ip->saddr), .daddr = bpf_ntohl(ip->daddr), .proto = ip->protocol};
    struct tcphdr *tcp = (void *)ip + ip->ihl * 4;
    int drop = 0;
    __u32 syn = 0, fin = 0;
    if (ip->protocol == IPPROTO_TCP) {
        if ((void *)(tcp + 1) > data_end)
            return TC_ACT_OK;
        key.dport = bpf_ntohs(tcp->dest);
        drop = key.dport == 23;
        syn = tcp->syn;
        fin = tcp->fin;
    }
    struct stats fresh = {};
    struct stats *s = bpf_map_lookup_elem(&flows, &key);
    if (!s) {
        bpf_map_update_elem(&flows, &key, &fresh, BPF_NOEXIST);
        s = bpf_map_lookup_elem(&flows, &key);
        if (!s)
            return TC_ACT_OK;
    }
    s->packets++;
    s->bytes += skb->len;
    s->last = drop ? VERDICT_DROP : VERDICT_PASS;
    s->syn = syn;
    s->fin = fin;
    s->ttl = ip->ttl;
    totals.packets++;
    if (drop)
        totals.dropped++;
    return drop ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
