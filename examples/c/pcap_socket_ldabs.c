// A socket filter for `bpf run --pcap` reading the packet with the legacy LD_ABS loads (as tcpdump's classic
// filters do): keeps UDP whole, keeps only the first 54 bytes (headers) of TCP, drops everything else.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <stddef.h>
#include <bpf/bpf_helpers.h>

// clang lowers these builtins to BPF_LD | BPF_ABS instructions; offsets count from the Ethernet header.
unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");

__u64 seen;

SEC("socket")
int keep_udp_and_tcp_headers(struct __sk_buff *skb)
{
    seen++;
    if (load_half(skb, offsetof(struct ethhdr, h_proto)) != ETH_P_IP) {
        return 0;
    }
    __u64 protocol = load_byte(skb, ETH_HLEN + 9);
    if (protocol == IPPROTO_UDP) {
        return -1;
    }
    if (protocol == IPPROTO_TCP) {
        return 54;
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
