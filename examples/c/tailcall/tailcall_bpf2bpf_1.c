// tailcall_bpf2bpf_1: tail calls from the entry and from a subprogram; with both slots empty the subprogram
// returns len * 2 = 108.
// #> run => 1
// #> delete jmp_table 1
// #> run => 0
// #> delete jmp_table 0
// #> run => 108
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

static __attribute__((noinline)) int subprog_tail(struct __sk_buff *skb)
{
    bpf_tail_call_static(skb, &jmp_table, 0);
    return skb->len * 2;
}

SEC("tc")
int classifier_0(struct __sk_buff *skb)
{
    return 0;
}

SEC("tc")
int classifier_1(struct __sk_buff *skb)
{
    return 1;
}

SEC("tc")
int entry(struct __sk_buff *skb)
{
    bpf_tail_call_static(skb, &jmp_table, 1);
    return subprog_tail(skb);
}

char LICENSE[] SEC("license") = "GPL";
