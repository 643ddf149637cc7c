// tailcall_4: the key comes from a global the test writes (the indirect form: the key is not a constant).
// #> poke selector 0 0
// #> run => 0
// #> poke selector 0 1
// #> run => 1
// #> poke selector 0 2
// #> run => 2
// #> delete jmp_table 0
// #> poke selector 0 0
// #> run => 3
// #> delete jmp_table 1
// #> poke selector 0 1
// #> run => 3
// #> delete jmp_table 2
// #> poke selector 0 2
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
    bpf_tail_call(skb, &jmp_table, selector);
    return 3;
}

char LICENSE[] SEC("license") = "GPL";
