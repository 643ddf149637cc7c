// Global data: initialised variables (.data), constants (.rodata), zeroed variables (.bss), and a
// string literal (.rodata.str1.1), all reached through lddw map-value loads with an offset.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 calls = 0;               /* .bss */
__u64 total = 0;               /* .bss */
__u32 multiplier = 3;          /* .data */
__u32 offsets[4] = {1, 2, 3, 4}; /* .data */
const volatile __u32 limit = 100;       /* .rodata */
const volatile __u64 table[3] = {10, 20, 30}; /* .rodata */
static __u32 hidden[2] = {5, 7};  /* .data, reached through the section symbol plus an offset */

static __attribute__((noinline)) int letter_at(const char *text, int i)
{
    return text[i];
}

SEC("socket")
int use_globals(struct __sk_buff *skb)
{
    const char *word = "bpf";
    __u32 i = skb->len & 3;
    calls++;
    total += skb->len * multiplier + offsets[i];
    if (total > limit)
        total = table[2];
    hidden[1] += 1;
    return letter_at(word, skb->len & 1) + (int)table[1] + hidden[1];
}

char LICENSE[] SEC("license") = "GPL";
