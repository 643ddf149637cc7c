// tailcall_bpf2bpf_3: programs with 128-byte frames and subprograms with 64-byte frames tail call through each
// other: entry -> subprog_tail -> [0] classifier_0 -> subprog_tail2 -> [1] classifier_1 returns len * 3.
// #> run => 162
// #> delete jmp_table 1
// #> run => 54
// #> delete jmp_table 0
// #> run => 108
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int classifier_0(struct __sk_buff *skb);
int classifier_1(struct __sk_buff *skb);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 2);
    __uint(key_size, sizeof(__u32));
    __array(values, int (void *));
} jmp_table SEC(".maps") = {
    .values = {
        [0] = (void *)&classifier_0,
        [1] = (void *)&classifier_1,
    },
};

/* Touching the last byte keeps each whole frame alive. */
#define USE_FRAME(arr) asm volatile("" :: "r"(arr[sizeof(arr) - 1]))

static __attribute__((noinline)) int subprog_tail2(struct __sk_buff *skb)
{
    volatile char arr[64] = {};

    bpf_tail_call_static(skb, &jmp_table, 1);
    USE_FRAME(arr);
    return skb->len;
}

static __attribute__((noinline)) int subprog_tail(struct __sk_buff *skb)
{
    volatile char arr[64] = {};

    bpf_tail_call_static(skb, &jmp_table, 0);
    USE_FRAME(arr);
    return skb->len * 2;
}

SEC("tc")
int classifier_0(struct __sk_buff *skb)
{
    volatile char arr[128] = {};

    USE_FRAME(arr);
    return subprog_tail2(skb);
}

SEC("tc")
int classifier_1(struct __sk_buff *skb)
{
    volatile char arr[128] = {};

    USE_FRAME(arr);
    return skb->len * 3;
}

SEC("tc")
int entry(struct __sk_buff *skb)
{
    volatile char arr[128] = {};

    USE_FRAME(arr);
    return subprog_tail(skb);
}

char LICENSE[] SEC("license") = "GPL";
