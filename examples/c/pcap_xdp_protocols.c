// An XDP per-protocol counter for `bpf run --pcap`: counts packets and bytes per protocol in an array map,
// answers ICMP echo requests in place (swaps the MAC addresses, XDP_TX), drops UDP to the discard port (9)
// and lets everything else pass.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum protocol { OTHER, ARP, IPV4_TCP, IPV4_UDP, IPV4_ICMP, IPV4_OTHER, IPV6, PROTOCOLS };

struct counts {
    __u64 packets;
    __u64 bytes;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, PROTOCOLS);
    __type(key, __u32);
    __type(value, struct counts);
} by_protocol SEC(".maps");

static void count(__u32 protocol, __u64 bytes)
{
    struct counts *c = bpf_map_lookup_elem(&by_protocol, &protocol);
    if (c) {
        c->packets++;
        c->bytes += bytes;
    }
}

SEC("xdp")
int count_protocols(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    __u64 length = end - data;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end) {
        count(OTHER, length);
        return XDP_PASS;
    }
    if (eth->h_proto == bpf_htons(ETH_P_ARP)) {
        count(ARP, length);
        return XDP_PASS;
    }
    if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
        count(IPV6, length);
        return XDP_PASS;
    }
    struct iphdr *ip = (void *)(eth + 1);
    if (eth->h_proto != bpf_htons(ETH_P_IP) || (void *)(ip + 1) > end) {
        count(OTHER, length);
        return XDP_PASS;
    }
    if (ip->protocol == IPPROTO_TCP) {
        count(IPV4_TCP, length);
        return XDP_PASS;
    }
    if (ip->protocol == IPPROTO_ICMP) {
        count(IPV4_ICMP, length);
        unsigned char mac[ETH_ALEN];
        __builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
        __builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
        __builtin_memcpy(eth->h_source, mac, ETH_ALEN);
        return XDP_TX;
    }
    if (ip->protocol == IPPROTO_UDP) {
        count(IPV4_UDP, length);
        struct udphdr *udp = (void *)ip + ip->ihl * 4;
        if ((void *)(udp + 1) <= end && udp->dest == bpf_htons(9)) {
            return XDP_DROP;
        }
        return XDP_PASS;
    }
    count(IPV4_OTHER, length);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
