// A tail-call dispatcher per protocol for `bpf run --pcap`: the XDP entry reads the IPv4 protocol and tail-calls
// the handler in that slot of a prog array (TCP, UDP, ICMP; the object fills the slots). A protocol without a
// handler falls through to XDP_PASS; each handler counts its packets, and the ICMP one drops them.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

int handle_tcp(struct xdp_md *ctx);
int handle_udp(struct xdp_md *ctx);
int handle_icmp(struct xdp_md *ctx);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 256);
    __uint(key_size, sizeof(__u32));
    __array(values, int (void *));
} by_protocol SEC(".maps") = {
    .values = {
        [IPPROTO_ICMP] = (void *)&handle_icmp,
        [IPPROTO_TCP] = (void *)&handle_tcp,
        [IPPROTO_UDP] = (void *)&handle_udp,
    },
};

__u64 tcp_packets;
__u64 udp_packets;
__u64 icmp_packets;
__u64 not_dispatched;


SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) <= end && eth->h_proto == bpf_htons(ETH_P_IP)) {
        bpf_tail_call(ctx, &by_protocol, ip->protocol);
    }
    not_dispatched++;
    return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
    tcp_packets++;
    return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
    udp_packets++;
    return XDP_PASS;
}

SEC("xdp")
int handle_icmp(struct xdp_md *ctx)
{
    icmp_packets++;
    return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
