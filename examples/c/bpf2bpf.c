// bpf-to-bpf calls: static and global subprograms in .text, shared by two programs in different
// sections; one subprogram calls another, and one program calls a function of another section.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int square(int x)
{
    return x * x;
}

__attribute__((noinline)) int sum_of_squares(int a, int b)
{
    return square(a) + square(b);
}

static __attribute__((noinline)) int triple(int x)
{
    return 3 * x;
}

SEC("tc")
int tc_main(struct __sk_buff *skb)
{
    // len 54: 54*54 + 2*2 = 2920
    return sum_of_squares(skb->len, 2);
}

SEC("socket")
int socket_main(struct __sk_buff *skb)
{
    // len 54: 162 + 9 = 171
    return triple(skb->len) + square(3);
}

char LICENSE[] SEC("license") = "GPL";
