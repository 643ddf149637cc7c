// Benchmark 'tailchain': a chain of 32 tail calls through a prog array, each stage folding 8 bytes of the input
// into a hash kept in global data (a tail call keeps only r1, the input; core in cores.h).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "cores.h"

static u64 hash;
static u64 stage;

u64 chain_stage(const u8 *mem);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 1);
    __uint(key_size, sizeof(__u32));
    __array(values, int (void *));
} chain SEC(".maps") = {
    .values = {
        [0] = (void *)&chain_stage,
    },
};

SEC("bench")
u64 chain_stage(const u8 *mem)
{
    hash = core_stage(mem, stage, hash);
    if (++stage < CHAIN_STAGES)
        bpf_tail_call((void *)mem, &chain, 0);
    return hash;
}

// Needs 64 bytes of input; starts the chain at stage 0.
SEC("bench")
u64 tailchain(const u8 *mem, u64 len)
{
    if (len < 64)
        return 0;
    hash = 0xcbf29ce484222325ULL;
    stage = 0;
    bpf_tail_call((void *)mem, &chain, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
