// A layer-4 load balancer whose backend sets are maps in a map: a virtual address and port name a service, the
// service's index selects an inner hash of backends in an array of maps, and the flow's source port picks a
// backend in it (slot 0 when its own slot is empty). The host swaps a service's whole backend set by putting
// another inner map into the outer array. The destination address and port are rewritten with the IPv4 and
// TCP/UDP checksums fixed by bpf_l3_csum_replace/bpf_l4_csum_replace, as in nat_lb.c.
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

#define SLOTS 4
#define IP_CSUM_OFF (ETH_HLEN + offsetof(struct iphdr, check))
#define IP_DST_OFF (ETH_HLEN + offsetof(struct iphdr, daddr))
#define L4_OFF (ETH_HLEN + sizeof(struct iphdr))

struct vip {
    __be32 addr;
    __be16 port;
    __u8 proto;
    __u8 pad;
};

struct backend {
    __be32 addr;
    __be16 port;
    __u16 pad;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, struct vip);
    __type(value, __u32);
} services SEC(".maps");

struct backend_set {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, SLOTS);
    __type(key, __u32);
    __type(value, struct backend);
} web_backends SEC(".maps"), spare_backends SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 8);
    __type(key, __u32);
    __array(values, struct backend_set);
} backend_sets SEC(".maps") = {
    .values = { [0] = &web_backends },
};

SEC("tc")
int lb_maps(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = data + ETH_HLEN;
    if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
        return TC_ACT_OK;
    if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
        return TC_ACT_OK;
    __u16 *ports = (void *)(ip + 1);
    if ((void *)(ports + 2) > data_end)
        return TC_ACT_OK;
    struct vip vip = { .addr = ip->daddr, .port = ports[1], .proto = ip->protocol };
    __u32 *service = bpf_map_lookup_elem(&services, &vip);
    if (!service)
        return TC_ACT_OK;
    __u32 index = *service;
    void *set = bpf_map_lookup_elem(&backend_sets, &index);
    if (!set)
        return TC_ACT_SHOT;
    __u32 slot = bpf_ntohs(ports[0]) % SLOTS;
    struct backend *b = bpf_map_lookup_elem(set, &slot);
    if (!b) {
        slot = 0;
        b = bpf_map_lookup_elem(set, &slot);
    }
    if (!b || !b->addr)
        return TC_ACT_SHOT;
    struct backend target = *b;
    __u8 proto = vip.proto;
    __be32 old_daddr = vip.addr;
    __be16 old_dport = vip.port;
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
    return err ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
