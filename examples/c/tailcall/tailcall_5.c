// tailcall_5: each branch has its own constant key, but the branches meet at one tail call, so the key at the
// call is not a single constant (the indirect form).
// #> poke selector 0 1111
// #> run => 0
// #> poke selector 0 1234
// #> run => 1
// #> poke selector 0 5678
// #> run => 2
// #> delete jmp_table 0
// #> poke selector 0 1111
// #> run => 3
// #> delete jmp_table 1
// #> poke selector 0 1234
// #> run => 3
// #> delete jmp_table 2
// #> poke selector 0 5678
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

int selector = 0;

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
    int key;

    if (selector == 1234)
        key = 1;
    else if (selector == 5678)
        key = 2;
    else
        key = 0;
    bpf_tail_call(skb, &jmp_table, key);
    return 3;
}

char LICENSE[] SEC("license") = "GPL";
