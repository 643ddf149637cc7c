// What older toolchains and CO-RE-era sources leave in an object: a CO-RE relocation against struct __sk_buff
// (__builtin_preserve_access_index), which is applied, and what TruffleBPF refuses program by program, each
// with its reason: a call to memset that old clang left undefined (written here as the call it emitted: new
// clang refuses to), and a map of a type TruffleBPF does not create (a queue). The good programs load and run.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "../legacy_map_def.h"

struct bpf_map_def SEC("maps") pending = {
    .type = BPF_MAP_TYPE_QUEUE,
    .key_size = 0,
    .value_size = sizeof(__u32),
    .max_entries = 16,
};

SEC("classifier")
int good_len(struct __sk_buff *skb)
{
    return skb->len > 64 ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("classifier")
int core_len(struct __sk_buff *skb)
{
    return __builtin_preserve_access_index(skb->len) > 64 ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("classifier")
int clears(struct __sk_buff *skb)
{
    char buf[64];
    /* Old clang's struct clear: memset(r1 = buf, r2 = 0, r3 = 64) as a call to an undefined symbol. */
    asm volatile("r1 = %0; r2 = 0; r3 = 64; call memset" :: "r"(buf) : "r0", "r1", "r2", "r3", "r4", "r5", "memory");
    return buf[3];
}

SEC("classifier")
int queues(struct __sk_buff *skb)
{
    __u32 len = skb->len;
    bpf_map_push_elem(&pending, &len, 0);
    return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
