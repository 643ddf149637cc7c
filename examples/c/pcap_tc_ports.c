// A tc port filter for `bpf run --pcap`: drops IPv4 TCP and UDP packets to ports in a blocked-port hash map
// (telnet 23 and 6000 from the object), marks SSH traffic with TOS 0x40 (DSCP CS2), with the
// IPv4 checksum updated), and counts what it dropped per port.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, __u16);
    __type(value, __u64);
} dropped_by_port SEC(".maps");

__u64 ssh_marked;

SEC("tc")
int port_filter(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5) {
        return TC_ACT_OK;
    }
    __u16 port;
    if (ip->protocol == IPPROTO_TCP) {
        struct tcphdr *tcp = (void *)(ip + 1);
        if ((void *)(tcp + 1) > end) {
            return TC_ACT_OK;
        }
        port = bpf_ntohs(tcp->dest);
    } else if (ip->protocol == IPPROTO_UDP) {
        struct udphdr *udp = (void *)(ip + 1);
        if ((void *)(udp + 1) > end) {
            return TC_ACT_OK;
        }
        port = bpf_ntohs(udp->dest);
    } else {
        return TC_ACT_OK;
    }
    if (port == 23 || port == 6000) {
        __u64 one = 1;
        __u64 *n = bpf_map_lookup_elem(&dropped_by_port, &port);
        if (n) {
            __sync_fetch_and_add(n, 1);
        } else {
            bpf_map_update_elem(&dropped_by_port, &port, &one, BPF_ANY);
        }
        return TC_ACT_SHOT;
    }
    if (port == 22 && ip->tos != 0x40) {
        // Incremental checksum update (RFC 1624) for the 16-bit word holding version/ihl and tos.
        __u16 old = bpf_ntohs(*(__u16 *)ip);
        ip->tos = 0x40;
        __u16 new = bpf_ntohs(*(__u16 *)ip);
        __u32 sum = (__u16)~bpf_ntohs(ip->check) + (__u16)~old + new;
        sum = (sum & 0xffff) + (sum >> 16);
        sum = (sum & 0xffff) + (sum >> 16);
        ip->check = bpf_htons((__u16)~sum);
        ssh_marked++;
    }
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
