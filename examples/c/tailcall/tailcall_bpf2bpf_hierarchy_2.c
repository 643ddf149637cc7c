// tailcall_bpf2bpf_hierarchy_2: subprog_tail0 reaches classifier_0, which counts and recurses through
// subprog_tail0 until the shared counter has allowed 33 tail calls; the entry's later subprog_tail1 call then
// finds the limit reached, so classifier_1 never runs. The entry returns (count1 << 16) | count0.
// #> run abi=shared => 33
// #> expect count0 = 33
// #> expect count1 = 0
// #> poke count0 0 0
// #> poke count1 0 0
// #> run abi=by-value => 0x210021
// #> expect count0 = 33
// #> expect count1 = 33
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int classifier_0(struct __sk_buff *skb);
int classifier_1(struct __sk_buff *skb);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 2);
    __uint(key_size, sizeof(__u32));
    __array(values, int (void *));
} jmp_table SEC(".maps") = {
    .values = {
        [0] = (void *)&classifier_0,
        [1] = (void *)&classifier_1,
    },
};

int count0 = 0;
int count1 = 0;

static __attribute__((noinline)) int subprog_tail0(struct __sk_buff *skb)
{
    bpf_tail_call_static(skb, &jmp_table, 0);
    return 0;
}

static __attribute__((noinline)) int subprog_tail1(struct __sk_buff *skb)
{
    bpf_tail_call_static(skb, &jmp_table, 1);
    return 0;
}

SEC("tc")
int classifier_0(struct __sk_buff *skb)
{
    count0++;
    subprog_tail0(skb);
    return 0;
}

SEC("tc")
int classifier_1(struct __sk_buff *skb)
{
    count1++;
    subprog_tail1(skb);
    return 0;
}

SEC("tc")
int entry(struct __sk_buff *skb)
{
    subprog_tail0(skb);
    subprog_tail1(skb);
    return (count1 << 16) | count0;
}

char LICENSE[] SEC("license") = "GPL";
