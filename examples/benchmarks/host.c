// The suite's cores as plain C for the gcc -O2 peer of `bpf bench --peers`: one entry
// uint64_t bench_NAME(uint8_t *mem, size_t len) per benchmark, built into a shared library at run time.
// Maps become what the BPF programs get from them: a counting table, globals, a record buffer.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static uint64_t counts[1024];
static uint8_t present[1024];

// The BPF hash map's behaviour for keys below 1024: lookup hits increment, misses insert 1.
static inline uint64_t map_count(uint32_t key) {
    if (present[key])
        return ++counts[key];
    present[key] = 1;
    counts[key] = 1;
    return 1;
}
#define MAP_COUNT(key) map_count(key)
#include "cores.h"

uint64_t bench_primes(uint8_t *mem, size_t len) { (void)mem; (void)len; return core_primes(); }
uint64_t bench_fnv1a(uint8_t *mem, size_t len) { return core_fnv1a(mem, len); }
uint64_t bench_crc32(uint8_t *mem, size_t len) { return core_crc32(mem, len); }
uint64_t bench_sort(uint8_t *mem, size_t len) { return core_sort(mem, len); }
uint64_t bench_states(uint8_t *mem, size_t len) { return core_states(mem, len); }
uint64_t bench_calls(uint8_t *mem, size_t len) { return core_calls(mem, len); }
uint64_t bench_shortloop(uint8_t *mem, size_t len) { return core_shortloop(mem, len); }
uint64_t bench_hashmap(uint8_t *mem, size_t len) { return core_hashmap(mem, len); }

// Each tail call becomes a call of the next stage, through a pointer as the prog array's slot is.
typedef uint64_t (*stage_fn)(const uint8_t *mem, uint64_t stage, uint64_t h);
static uint64_t stage_step(const uint8_t *mem, uint64_t stage, uint64_t h) { return core_stage(mem, stage, h); }
static volatile stage_fn chain_slot = stage_step;
uint64_t bench_tailchain(uint8_t *mem, size_t len) {
    if (len < 64)
        return 0;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (uint64_t stage = 0; stage < CHAIN_STAGES; stage++)
        h = chain_slot(mem, stage, h);
    return h;
}

// The ring buffer as a byte buffer that wraps, written with memcpy as bpf_ringbuf_output copies.
static uint8_t ring[1 << 16];
static size_t ring_head;
uint64_t bench_ringbuf(uint8_t *mem, size_t len) {
    uint64_t written = 0;
    if (len < 64)
        return 0;
    for (uint64_t i = 0; i < RECORDS; i++) {
        struct record r;
        core_record(&r, mem, i * 3);
        memcpy(ring + ring_head, &r, sizeof(r));
        ring_head = (ring_head + sizeof(r)) & (sizeof(ring) - 1);
        written++;
    }
    return written;
}
