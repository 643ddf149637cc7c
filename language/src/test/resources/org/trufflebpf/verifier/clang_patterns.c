// Shapes of code clang -O2 emits that a verifier must accept: counter loops ending on == / != over stack
// buffers, a buffer filled by a helper and then read, a noinline function reading a caller's buffer, a
// struct on the stack passed to map helpers, and a loop too long to follow iteration by iteration.
// Built with: clang -target bpf -O2 -g -c clang_patterns.c -o clang_patterns.o
#define SEC(x) __attribute__((section(x), used))
typedef unsigned int u32;
typedef unsigned long long u64;
typedef unsigned char u8;

static long (*bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, u64 flags) = (void *) 2;
static long (*bpf_ktime_get_ns)(void) = (void *) 5;
static long (*bpf_skb_load_bytes)(const void *skb, u32 off, void *to, u32 len) = (void *) 26;

struct pair {
    u32 a;
    u64 b;
};
struct { int (*type)[2]; int (*max_entries)[1]; u32 *key; u64 *value; } counts SEC(".maps");
struct { int (*type)[1]; int (*max_entries)[4]; u32 *key; struct pair *value; } pairs SEC(".maps");

SEC("socket")
int fill(void *ctx)
{
    volatile u8 buf[64];
    for (int i = 0; i < 64; i++)
        buf[i] = i;
    u32 sum = 0;
    for (int i = 0; i < 64; i += 8)
        sum += buf[i];
    return sum;
}

SEC("socket")
int copy(void *ctx)
{
    u64 buf[8];
    u8 bytes[32];
    if (bpf_skb_load_bytes(ctx, 0, bytes, sizeof(bytes)) < 0)
        return 0;
    for (int i = 0; i < 8; i++)
        buf[i] = bytes[i] * 3;
    u64 s = 0;
#pragma nounroll
    for (int i = 0; i < 8; i++)
        s += buf[i];
    return s;
}

static __attribute__((noinline)) int sum_bytes(u8 *p, int n)
{
    int s = 0;
    for (int i = 0; i < n && i < 16; i++)
        s += p[i];
    return s;
}

SEC("socket")
int callee_reads(void *ctx)
{
    u8 bytes[16];
    if (bpf_skb_load_bytes(ctx, 0, bytes, sizeof(bytes)) < 0)
        return 0;
    return sum_bytes(bytes, 16);
}

SEC("socket")
int histogram(void *ctx)
{
    u8 bytes[256];
    if (bpf_skb_load_bytes(ctx, 0, bytes, sizeof(bytes)) < 0)
        return 0;
    u32 hist[16] = {};
    for (int i = 0; i < 256; i++)
        hist[bytes[i] & 15]++;
    u32 key = 0;
    u64 *v = (u64 *) bpf_map_lookup_elem(&counts, &key);
    if (v)
        *v += hist[3];
    return hist[0];
}

SEC("socket")
int structs(void *ctx)
{
    struct pair p = { .a = 1, .b = bpf_ktime_get_ns() };
    u32 key = p.a;
    bpf_map_update_elem(&pairs, &key, &p, 0);
    struct pair *q = (struct pair *) bpf_map_lookup_elem(&pairs, &key);
    if (!q)
        return 0;
    struct pair copy = *q;
    return copy.a + (u32) copy.b;
}

SEC("socket")
int long_loop(void *ctx)
{
    volatile u64 acc[4] = {};
    for (int i = 0; i < 3000; i++)
        acc[i & 3] += i;
    return acc[1];
}

char LICENSE[] SEC("license") = "GPL";
