// tailcall_1: the entry tries every slot in turn; the first program found decides the result.
// #> run => 0
// #> delete jmp_table 0
// #> run => 1
// #> delete jmp_table 1
// #> run => 2
// #> delete jmp_table 2
// #> run => 3
// #> set jmp_table 0 classifier_0
// #> set jmp_table 1 classifier_1
// #> set jmp_table 2 classifier_2
// #> run => 0
// #> set jmp_table 0 classifier_2
// #> set jmp_table 1 classifier_1
// #> set jmp_table 2 classifier_0
// #> run => 2
// #> delete jmp_table 0
// #> run => 1
// #> delete jmp_table 1
// #> run => 0
// #> delete jmp_table 2
// #> run => 3
// #> delete jmp_table 0 => ENOENT
// #> run => 3
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int classifier_0(struct __sk_buff *skb);
int classifier_1(struct __sk_buff *skb);
int classifier_2(struct __sk_buff *skb);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 3);
    __uint(key_size, sizeof(__u32));
    __array(values, int (void *));
} jmp_table SEC(".maps") = {
    .values = {
        [0] = (void *)&classifier_0,
        [1] = (void *)&classifier_1,
        [2] = (void *)&classifier_2,
    },
};

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
int classifier_2(struct __sk_buff *skb)
{
    return 2;
}

SEC("tc")
int entry(struct __sk_buff *skb)
{
    /* Four attempts per slot: a failed tail call must fall through to the next one. */
    bpf_tail_call_static(skb, &jmp_table, 0);
    bpf_tail_call_static(skb, &jmp_table, 0);
    bpf_tail_call_static(skb, &jmp_table, 0);
    bpf_tail_call_static(skb, &jmp_table, 0);
    bpf_tail_call_static(skb, &jmp_table, 1);
    bpf_tail_call_static(skb, &jmp_table, 1);
    bpf_tail_call_static(skb, &jmp_table, 1);
    bpf_tail_call_static(skb, &jmp_table, 1);
    bpf_tail_call_static(skb, &jmp_table, 2);
    bpf_tail_call_static(skb, &jmp_table, 2);
    bpf_tail_call_static(skb, &jmp_table, 2);
    bpf_tail_call_static(skb, &jmp_table, 2);
    return 3;
}

char LICENSE[] SEC("license") = "GPL";
