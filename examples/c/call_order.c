// Subprograms are appended in libbpf's order: depth first, each callee placed when its first call is met.
// order_main calls first_a (which calls leaf_c) and then second_b, so the linked program is
// order_main, first_a, leaf_c, second_b. With len 54: (54 + 3) * 2 + (54 - 1) = 167.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int leaf_c(int x)
{
    return x + 3;
}

static __attribute__((noinline)) int second_b(int x)
{
    return x - 1;
}

static __attribute__((noinline)) int first_a(int x)
{
    return leaf_c(x) * 2;
}

SEC("classifier")
int order_main(struct __sk_buff *skb)
{
    int len = skb->len;
    int a = first_a(len);
    return a + second_b(len);
}

char LICENSE[] SEC("license") = "GPL";
