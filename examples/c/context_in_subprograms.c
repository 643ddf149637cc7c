// The context pointer leaves the entry function: passed to non-inlined functions, which read the packet
// pointers (skb->data, skb->data_end) and skb->len from it, and kept on the stack across a call. Every engine
// must rewrite those loads as the kernel does, wherever the context went.
// With the README's TCP packet to port 23: len 54, protocol byte 6, so (54 << 16) | (6 << 8) | 0x45 = 3540549.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int packet_byte(struct __sk_buff *skb, int offset)
{
    unsigned char *data = (unsigned char *)(long)skb->data;
    unsigned char *end = (unsigned char *)(long)skb->data_end;
    if (offset < 0 || offset > 64 || data + offset + 1 > end)
        return -1;
    return data[offset];
}

static __attribute__((noinline)) int packet_length(struct __sk_buff *skb)
{
    return skb->len;
}

SEC("tc")
int context_in_subprograms(struct __sk_buff *skb)
{
    // volatile keeps the context in a stack slot across the calls (a spill and fills).
    struct __sk_buff *volatile kept = skb;
    int version = packet_byte(kept, 14);
    int protocol = packet_byte(kept, 23);
    if (version < 0 || protocol < 0)
        return 0;
    return (packet_length(kept) << 16) | (protocol << 8) | version;
}

char _license[] SEC("license") = "GPL";
