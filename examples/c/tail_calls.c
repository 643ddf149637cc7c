// Tail calls through a prog array initialised in the object: slot 0 and slot 2 are filled by the
// loader from the .maps relocations; slot 1 stays empty.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int stage_one(struct __sk_buff *skb);
int stage_two(struct __sk_buff *skb);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 3);
    __uint(key_size, sizeof(__u32));
    __array(values, int (void *));
} jump_table SEC(".maps") = {
    .values = {
        [0] = (void *)&stage_one,
        [2] = (void *)&stage_two,
    },
};

SEC("tc")
int stage_one(struct __sk_buff *skb)
{
    bpf_tail_call(skb, &jump_table, 2);
    return 1;
}

SEC("tc")
int stage_two(struct __sk_buff *skb)
{
    return 2;
}

SEC("tc")
int entry(struct __sk_buff *skb)
{
    bpf_tail_call(skb, &jump_table, 0);
    bpf_tail_call(skb, &jump_table, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
