// An object in the style of older projects (the kernel's samples/bpf, iproute2 tc loaders): maps declared as
// struct bpf_map_def in SEC("maps"), section names libbpf 0.x matched by prefix (xdp1, socket1), a numbered
// section as tc loaders use for tail-call targets (2/7: the section says no type, the loader is told), and a
// kprobe program beside the packet programs. One program reads the packet without a bounds check: the verifier
// refuses it, and its siblings still load and run.
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "../legacy_map_def.h"

struct bpf_map_def SEC("maps") rxcnt = {
    .type = BPF_MAP_TYPE_ARRAY,
    .key_size = sizeof(__u32),
    .value_size = sizeof(__u64),
    .max_entries = 256,
};

struct bpf_map_def SEC("maps") write_calls = {
    .type = BPF_MAP_TYPE_HASH,
    .key_size = sizeof(__u32),
    .value_size = sizeof(__u64),
    .max_entries = 1024,
};

/* LD_ABS as samples/bpf/sockex1 reads packets: the byte at an offset of the skb's packet. */
unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");

static __always_inline void count(__u32 key)
{
    __u64 *value = bpf_map_lookup_elem(&rxcnt, &key);
    if (value)
        __sync_fetch_and_add(value, 1);
}

/* samples/bpf/xdp1: counts packets per IP protocol; drops UDP, passes the rest. */
SEC("xdp1")
int xdp_prog1(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return XDP_DROP;
    if (eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end)
        return XDP_DROP;
    count(ip->protocol);
    return ip->protocol == IPPROTO_UDP ? XDP_DROP : XDP_PASS;
}

/* samples/bpf/sockex1: counts by IP protocol through LD_ABS. */
SEC("socket1")
int bpf_prog1(struct __sk_buff *skb)
{
    __u32 proto = load_byte(skb, ETH_HLEN + offsetof(struct iphdr, protocol));
    if (skb->pkt_type != 4 /* PACKET_OUTGOING */)
        count(proto + 128);
    return 0;
}

/* A tc tail-call target, numbered as iproute2's loader numbers them (map 2, slot 7). */
SEC("2/7")
int tail_7(struct __sk_buff *skb)
{
    count(7);
    return skb->len > 100 ? TC_ACT_SHOT : TC_ACT_OK;
}

/* A tracing program in the same object: it loads, and running it says why it cannot run here. */
SEC("kprobe/ksys_write")
int trace_write(void *regs)
{
    __u32 pid = bpf_get_current_pid_tgid() >> 32;
    __u64 one = 1;
    __u64 *calls = bpf_map_lookup_elem(&write_calls, &pid);
    if (calls)
        __sync_fetch_and_add(calls, 1);
    else
        bpf_map_update_elem(&write_calls, &pid, &one, BPF_NOEXIST);
    return 0;
}

/* Forgets the bounds check: the verifier refuses it (the kernel's too). */
SEC("xdp_unchecked")
int no_bounds_check(struct xdp_md *ctx)
{
    struct ethhdr *eth = (void *)(long)ctx->data;
    return eth->h_proto == bpf_htons(ETH_P_IP) ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
