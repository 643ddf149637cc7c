// tailcall_3: classifier_0 tail calls itself with a constant key (the direct form): the 33rd tail call is the
// last that succeeds, so it runs 33 times; its own failed call then returns 1.
// #> run => 1
// #> expect count = 33
// #> delete jmp_table 0
// #> run => 0
// #> expect count = 33
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int classifier_0(struct __sk_buff *skb);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 1);
    __uint(key_size, sizeof(__u32));
    __array(values, int (void *));
} jmp_table SEC(".maps") = {
    .values = {
        [0] = (void *)&classifier_0,
    },
};

int count = 0;

SEC("tc")
int classifier_0(struct __sk_buff *skb)
{
    count++;
    bpf_tail_call_static(skb, &jmp_table, 0);
    return 1;
}

SEC("tc")
int entry(struct __sk_buff *skb)
{
    bpf_tail_call_static(skb, &jmp_table, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
