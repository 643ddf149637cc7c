// References between functions that libbpf users write less often: a program calling a function that
// lives in another program section, and a function address taken for a callback (bpf_loop, helper 181,
// which our engines may not provide: this object exercises the loader).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
__attribute__((noinline)) int socket_len(struct __sk_buff *skb)
{
    return skb->len + 1;
}

SEC("tc")
int tc_twice(struct __sk_buff *skb)
{
    // len 54: (54 + 1) * 2 = 110
    return socket_len(skb) * 2;
}

static int add_index(__u32 index, void *ctx)
{
    *(__u64 *)ctx += index;
    return 0;
}

SEC("xdp")
int loop_sum(struct xdp_md *ctx)
{
    __u64 sum = 0;
    bpf_loop(10, add_index, &sum, 0);
    return sum == 45 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
