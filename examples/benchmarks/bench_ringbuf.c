// Benchmark 'ringbuf': a producer writing 16 records of 16 bytes to a ring buffer per run (core in cores.h).
// Nothing consumes them, so once the buffer is full the writes fail as they would in the kernel.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "cores.h"

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1 << 16);
} records SEC(".maps");

SEC("bench")
u64 ringbuf(const u8 *mem, u64 len)
{
    u64 written = 0;
    if (len < 64)
        return 0;
    for (u64 i = 0; i < RECORDS; i++) {
        struct record r;
        core_record(&r, mem, i * 3);
        written += bpf_ringbuf_output(&records, &r, sizeof(r), 0) == 0;
    }
    return written;
}

char LICENSE[] SEC("license") = "GPL";
