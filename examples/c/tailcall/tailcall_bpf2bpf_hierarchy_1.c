// tailcall_bpf2bpf_hierarchy_1: the entry tail calls itself from two subprogram calls. With one counter shared
// by the whole chain (the kernel's x86-64 JIT since Linux 6.10), 33 tail calls succeed: the entry runs 34
// times in all. (Were the counter copied into each subprogram call instead, the calls would fan out to about
// 2^34 tail calls; such an engine must then stop the run with its execution budget.)
// #> run abi=shared => 1
// #> expect count = 34
// #> delete jmp_table 0
// #> run abi=shared => 1
// #> expect count = 35
// #> set jmp_table 0 entry
// #> poke count 0 0
// #> run abi=by-value => budget
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int entry(struct __sk_buff *skb);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 1);
    __uint(key_size, sizeof(__u32));
    __array(values, int (void *));
} jmp_table SEC(".maps") = {
    .values = {
        [0] = (void *)&entry,
    },
};

int count = 0;

static __attribute__((noinline)) int subprog_tail(struct __sk_buff *skb)
{
    bpf_tail_call_static(skb, &jmp_table, 0);
    return 0;
}

SEC("tc")
int entry(struct __sk_buff *skb)
{
    count++;
    subprog_tail(skb);
    subprog_tail(skb);
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
