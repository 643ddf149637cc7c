// tailcall_2: with slots 0 and 2 gone, classifier_3 and classifier_4 call each other until 33 tail calls have
// happened (the entry's call counts too): the 33rd lands in classifier_3, whose next call fails, so the result
// is 3. A limit of 32 would give 4.
// #> run => 2
// #> delete jmp_table 2
// #> run => 1
// #> delete jmp_table 0
// #> run => 3
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int classifier_0(struct __sk_buff *skb);
int classifier_1(struct __sk_buff *skb);
int classifier_2(struct __sk_buff *skb);
int classifier_3(struct __sk_buff *skb);
int classifier_4(struct __sk_buff *skb);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 5);
    __uint(key_size, sizeof(__u32));
    __array(values, int (void *));
} jmp_table SEC(".maps") = {
    .values = {
        [0] = (void *)&classifier_0,
        [1] = (void *)&classifier_1,
        [2] = (void *)&classifier_2,
        [3] = (void *)&classifier_3,
        [4] = (void *)&classifier_4,
    },
};

SEC("tc")
int classifier_0(struct __sk_buff *skb)
{
    bpf_tail_call_static(skb, &jmp_table, 1);
    return 0;
}

SEC("tc")
int classifier_1(struct __sk_buff *skb)
{
    bpf_tail_call_static(skb, &jmp_table, 2);
    return 1;
}

SEC("tc")
int classifier_2(struct __sk_buff *skb)
{
    return 2;
}

SEC("tc")
int classifier_3(struct __sk_buff *skb)
{
    bpf_tail_call_static(skb, &jmp_table, 4);
    return 3;
}

SEC("tc")
int classifier_4(struct __sk_buff *skb)
{
    bpf_tail_call_static(skb, &jmp_table, 3);
    return 4;
}

SEC("tc")
int entry(struct __sk_buff *skb)
{
    bpf_tail_call_static(skb, &jmp_table, 0);
    bpf_tail_call_static(skb, &jmp_table, 2);
    bpf_tail_call_static(skb, &jmp_table, 3);
    return 3;
}

char LICENSE[] SEC("license") = "GPL";
