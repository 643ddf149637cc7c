// tailcall_bpf2bpf_6: the entry's frame is one byte (rounded up to 8 by the JIT), so the tail-call counter
// kept below the frame must be found at the rounded offset; if it is not, the tail call misbehaves and done
// stays 0.
// #> run => 0
// #> expect done = 1
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

int done = 0;

SEC("tc")
int classifier_0(struct __sk_buff *skb)
{
    done = 1;
    return 0;
}

static __attribute__((noinline)) int subprog_tail(struct __sk_buff *skb)
{
    int fell_through = 1;

    bpf_tail_call_static(skb, &jmp_table, 0);
    // Opaque to clang: otherwise it folds the constant result into the caller ('mov r0, 1' after the call),
    // and the caller would no longer return what the tail-called program returned.
    asm volatile("" : "+r"(fell_through));
    return fell_through;
}

SEC("tc")
int entry(struct __sk_buff *skb)
{
    volatile char arr[1] = {};

    asm volatile("" :: "r"(arr[0]));
    return subprog_tail(skb);
}

char LICENSE[] SEC("license") = "GPL";
