// Counters in an array map and in a hash map: two programs share one section ("socket"),
// so the loader must split the section by function symbols.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 4);
} packet_counts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 1024);
    __uint(map_flags, BPF_F_NO_PREALLOC);
} length_counts SEC(".maps");

SEC("socket")
int count_packets(struct __sk_buff *skb)
{
    __u32 key = 0;
    __u64 *count = bpf_map_lookup_elem(&packet_counts, &key);
    if (count)
        __sync_fetch_and_add(count, 1);
    return 0;
}

SEC("socket")
int count_lengths(struct __sk_buff *skb)
{
    __u32 key = skb->len;
    __u64 one = 1;
    __u64 *count = bpf_map_lookup_elem(&length_counts, &key);
    if (count) {
        __sync_fetch_and_add(count, 1);
    } else {
        bpf_map_update_elem(&length_counts, &key, &one, BPF_NOEXIST);
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
