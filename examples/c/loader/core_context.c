// CO-RE relocations against the contexts TruffleBPF models: clang records each access to a struct marked
// preserve_access_index, and the loader patches it with struct __sk_buff's layout, as libbpf patches it with
// the kernel's. The program's own view of the struct lists only the fields it uses, in another order (a
// "flavor": the ___ suffix is ignored when matching), so every offset it was compiled with is wrong until
// relocated. core_iph relocates against a kernel type we do not model, and is refused with the reason.
#include <linux/bpf.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct __sk_buff___mine {
    __u32 priority;
    __u32 cb[5];
    __u32 mark;
    __u32 len;
    __u32 not_in_the_kernel;
} __attribute__((preserve_access_index));

SEC("tc")
int core_fields(struct __sk_buff *ctx)
{
    struct __sk_buff___mine *skb = (void *)ctx;
    __u32 sum = skb->len + skb->mark * 1000 + skb->cb[2] * 100000;
    if (bpf_core_field_exists(skb->not_in_the_kernel))
        sum += 1;
    if (bpf_core_field_exists(skb->priority))
        sum += 2;
    return sum + bpf_core_type_size(struct __sk_buff___mine) * 10000000;
}

SEC("tc")
int core_writes(struct __sk_buff *ctx)
{
    struct __sk_buff___mine *skb = (void *)ctx;
    skb->mark = 7;
    skb->cb[2] = 3;
    return skb->mark + skb->cb[2];
}

SEC("tc")
int core_iph(struct __sk_buff *skb)
{
    struct iphdr iph;
    if (bpf_skb_load_bytes(skb, 14, &iph, sizeof(iph)))
        return TC_ACT_OK;
    return bpf_core_field_exists(iph.ttl) ? TC_ACT_SHOT : TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
