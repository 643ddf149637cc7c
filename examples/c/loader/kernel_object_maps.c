// Maps whose entries are kernel objects, each loading with the program that uses it: a stack trace map
// (bpf_get_stackid's call stacks, modelled as the BPF call chain) and a cgroup array (bpf_skb_under_cgroup's
// cgroups, named by their paths); and a program using neither.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_STACK_TRACE);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, 127 * sizeof(__u64));
    __uint(max_entries, 16);
} stacks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
    __uint(max_entries, 1);
} cgroups SEC(".maps");

SEC("kprobe/do_sys_open")
int record_stack(void *ctx)
{
    return bpf_get_stackid(ctx, &stacks, 0);
}

SEC("tc")
int only_our_cgroup(struct __sk_buff *skb)
{
    return bpf_skb_under_cgroup(skb, &cgroups, 0) == 1 ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("tc")
int pass(struct __sk_buff *skb)
{
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
