// tailcall_bpf2bpf_4: entry -> subprog_tail -> [0] classifier_0 -> subprog_tail_1 -> [1] classifier_1 ->
// subprog_tail_2 -> [2] classifier_2 (count++) -> subprog_tail_2 -> [2] ... The tail-call counter travels
// through the subprogram calls: tail calls 3..33 reach classifier_2, so count is 31, and the last
// subprog_tail_2 returns len * 3 = 162 through every frame.
// #> run => 162
// #> expect count = 31
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

int count = 0;

#define USE_FRAME(arr) asm volatile("" :: "r"(arr[sizeof(arr) - 1]))

static __attribute__((noinline)) int subprog_tail_2(struct __sk_buff *skb)
{
    volatile char arr[64] = {};

    bpf_tail_call_static(skb, &jmp_table, 2);
    USE_FRAME(arr);
    return skb->len * 3;
}

static __attribute__((noinline)) int subprog_tail_1(struct __sk_buff *skb)
{
    volatile char arr[32] = {};

    bpf_tail_call_static(skb, &jmp_table, 1);
    USE_FRAME(arr);
    return skb->len * 2;
}

static __attribute__((noinline)) int subprog_tail(struct __sk_buff *skb)
{
    volatile char arr[16] = {};

    bpf_tail_call_static(skb, &jmp_table, 0);
    USE_FRAME(arr);
    return skb->len;
}

SEC("tc")
int classifier_1(struct __sk_buff *skb)
{
    return subprog_tail_2(skb);
}

SEC("tc")
int classifier_2(struct __sk_buff *skb)
{
    count++;
    return subprog_tail_2(skb);
}

SEC("tc")
int classifier_0(struct __sk_buff *skb)
{
    return subprog_tail_1(skb);
}

SEC("tc")
int entry(struct __sk_buff *skb)
{
    return subprog_tail(skb);
}

char LICENSE[] SEC("license") = "GPL";
