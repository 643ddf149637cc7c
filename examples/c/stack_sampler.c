// A sampling profiler in the style of BCC's profile and offcputime: each sample stores the kernel stack and the
// user stack in a stack trace map and counts the pair per process. Samples come either straight from the probe
// or through a slower path (the first word of the context says which), so two different stacks are counted.
// Run it on the raw context: bpf run --context raw stack_sampler.o sample (a kprobe's struct pt_regs here is the
// input's bytes). Outside the kernel the stack is the BPF call chain, and there is no user stack (-EFAULT).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_DEPTH 8

struct {
    __uint(type, BPF_MAP_TYPE_STACK_TRACE);
    __uint(max_entries, 64);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, MAX_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct key_t {
    __u32 pid;
    __s32 kernel_stack;
    __s32 user_stack;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, struct key_t);
    __type(value, __u64);
} counts SEC(".maps");

static __attribute__((noinline)) int record(void *ctx)
{
    struct key_t key = {};
    __u64 one = 1;
    __u64 *count;

    key.pid = bpf_get_current_pid_tgid() >> 32;
    key.kernel_stack = bpf_get_stackid(ctx, &stacks, 0);
    key.user_stack = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
    count = bpf_map_lookup_elem(&counts, &key);
    if (count)
        __sync_fetch_and_add(count, 1);
    else
        bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
    return key.kernel_stack;
}

static __attribute__((noinline)) int slow_path(void *ctx)
{
    return record(ctx);
}

SEC("kprobe/vfs_read")
int sample(void *ctx)
{
    if (*(volatile __u64 *)ctx & 1)
        return slow_path(ctx);
    return record(ctx);
}

char LICENSE[] SEC("license") = "GPL";
