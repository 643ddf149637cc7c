// tailcall_6: as tailcall_3, but the key is read from a global, so every call uses the indirect form.
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
int selector = 0;

SEC("tc")
int classifier_0(struct __sk_buff *skb)
{
    count++;
    bpf_tail_call(skb, &jmp_table, selector);
    return 1;
}

SEC("tc")
int entry(struct __sk_buff *skb)
{
    bpf_tail_call(skb, &jmp_table, selector);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
