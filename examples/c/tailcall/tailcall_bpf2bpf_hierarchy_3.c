// tailcall_bpf2bpf_hierarchy_3: the entry tail calls classifier_0, which counts and then makes two subprogram
// tail calls, each through its own prog array (the map is the subprogram's argument). The shared counter stops
// the chain after 33 tail calls; every classifier_0 returns the final count.
// #> run abi=shared => 33
// #> expect count = 33
// #> poke count 0 0
// #> run abi=by-value => budget
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int classifier_0(struct __sk_buff *skb);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 1);
    __uint(key_size, sizeof(__u32));
    __array(values, int (void *));
} jmp_table0 SEC(".maps") = {
    .values = {
        [0] = (void *)&classifier_0,
    },
};

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 1);
    __uint(key_size, sizeof(__u32));
    __array(values, int (void *));
} jmp_table1 SEC(".maps") = {
    .values = {
        [0] = (void *)&classifier_0,
    },
};

int count = 0;

static __attribute__((noinline)) int subprog_tail(struct __sk_buff *skb, void *table)
{
    bpf_tail_call(skb, table, 0);
    return 0;
}

SEC("tc")
int classifier_0(struct __sk_buff *skb)
{
    count++;
    subprog_tail(skb, &jmp_table0);
    subprog_tail(skb, &jmp_table1);
    return count;
}

SEC("tc")
int entry(struct __sk_buff *skb)
{
    bpf_tail_call_static(skb, &jmp_table0, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
