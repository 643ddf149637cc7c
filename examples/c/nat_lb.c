// A small layer-4 load balancer in the style of tc/XDP datapaths: packets to the virtual address 10.0.0.2 are
// sent to a backend chosen by the flow's source port (destination address and port rewritten, the IPv4 and
// TCP/UDP checksums fixed with bpf_l3_csum_replace/bpf_l4_csum_replace), and each rewrite is logged to a perf
// event array with the packet's headers appended (BPF_F_CTXLEN). The XDP program does the reverse path's
// source NAT with direct packet writes, fixing the IPv4 checksum with bpf_csum_diff.
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define VIP 0x0a000002 /* 10.0.0.2 */
#define BACKENDS 4
#define IP_CSUM_OFF (ETH_HLEN + offsetof(struct iphdr, check))
#define IP_DST_OFF (ETH_HLEN + offsetof(struct iphdr, daddr))
#define L4_OFF (ETH_HLEN + sizeof(struct iphdr))

struct backend {
    __be32 addr;
    __be16 port;
    __u16 pad;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, BACKENDS);
    __type(key, __u32);
    __type(value, struct backend);
} backends SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, BACKENDS);
    __type(key, __u32);
    __type(value, __u64);
} picked SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} nat_events SEC(".maps");

// 20 bytes: with the perf sample's u32 size, 24; the packet's 34 header bytes follow it in the sample.
struct nat_event {
    __be32 old_daddr;
    __be32 new_daddr;
    __be16 old_dport;
    __be16 new_dport;
    __u32 backend;
    __s32 result;
};

SEC("tc")
int lb_ingress(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = data + ETH_HLEN;
    if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
        return TC_ACT_OK;
    if (ip->daddr != bpf_htonl(VIP) || (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP))
        return TC_ACT_OK;
    __u8 proto = ip->protocol;
    __be32 old_daddr = ip->daddr;
    __u16 *ports = (void *)(ip + 1);
    if ((void *)(ports + 2) > data_end)
        return TC_ACT_OK;
    __be16 old_dport = ports[1];
    __u32 key = bpf_ntohs(ports[0]) % BACKENDS;
    struct backend *b = bpf_map_lookup_elem(&backends, &key);
    if (!b || !b->addr)
        return TC_ACT_SHOT;
    struct backend target = *b;
    __u32 csum_off = L4_OFF + (proto == IPPROTO_TCP ? offsetof(struct tcphdr, check) : offsetof(struct udphdr, check));
    __u64 l4_flags = BPF_F_PSEUDO_HDR | (proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0);

    // The checksums first (they cover the old values), then the new address and port.
    int err = bpf_l4_csum_replace(skb, csum_off, old_daddr, target.addr, l4_flags | sizeof(target.addr));
    if (!err)
        err = bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_daddr, target.addr, sizeof(target.addr));
    if (!err)
        err = bpf_skb_store_bytes(skb, IP_DST_OFF, &target.addr, sizeof(target.addr), 0);
    if (!err && target.port) {
        err = bpf_l4_csum_replace(skb, csum_off, old_dport, target.port, l4_flags | sizeof(target.port));
        if (!err)
            err = bpf_skb_store_bytes(skb, L4_OFF + offsetof(struct tcphdr, dest), &target.port, sizeof(target.port), BPF_F_INVALIDATE_HASH);
    }
    __u64 *count = bpf_map_lookup_elem(&picked, &key);
    if (count)
        __sync_fetch_and_add(count, 1);

    struct nat_event e = {
        .old_daddr = old_daddr,
        .new_daddr = target.addr,
        .old_dport = old_dport,
        .new_dport = target.port ? target.port : old_dport,
        .backend = key,
        .result = err,
    };
    __u64 header_bytes = ETH_HLEN + sizeof(struct iphdr);
    bpf_perf_event_output(skb, &nat_events, BPF_F_CURRENT_CPU | (header_bytes << 32), &e, sizeof(e));
    return err ? TC_ACT_SHOT : TC_ACT_OK;
}

// Replies from a backend leave with the virtual address as their source (the reverse of lb_ingress's rewrite).
SEC("xdp")
int snat_reply(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = data + ETH_HLEN;
    if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
        return XDP_PASS;
    __be32 old_saddr = ip->saddr;
    __be32 vip = bpf_htonl(VIP);
    if (old_saddr == vip)
        return XDP_PASS;
    // The IPv4 checksum over the new address: the sum's difference, folded and complemented.
    __s64 diff = bpf_csum_diff(&old_saddr, sizeof(old_saddr), &vip, sizeof(vip), ~((__u32)ip->check) & 0xffff);
    if (diff < 0)
        return XDP_ABORTED;
    __u32 sum = (__u32)diff;
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    ip->saddr = vip;
    ip->check = ~sum & 0xffff;

    struct nat_event e = {
        .old_daddr = old_saddr,
        .new_daddr = vip,
        .backend = BACKENDS,
        .result = (__s32)diff,
    };
    bpf_perf_event_output(ctx, &nat_events, BPF_F_CURRENT_CPU, &e, sizeof(e));
    return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
