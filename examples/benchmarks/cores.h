// The compute cores of the benchmark suite, shared by the BPF programs (one per .c file here) and the host
// build that `bpf bench --peers` compiles with gcc -O2, so every engine and peer does the same work.
// Each core takes the run's input (mem, len) as uBPF and our raw programs receive it (r1, r2).
#ifndef BENCH_CORES_H
#define BENCH_CORES_H

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

#ifdef __bpf__
#define CORE static __attribute__((always_inline)) inline
#define NOINLINE static __attribute__((noinline))
#else
#define CORE static inline
#define NOINLINE static __attribute__((noinline))
#endif

// Primes below 12000 by trial division: a pure arithmetic loop (division and branches, no memory).
CORE u64 core_primes(void) {
    u64 count = 0;
    for (u64 n = 2; n < 12000; n++) {
        u64 prime = 1;
        for (u64 d = 2; d * d <= n; d++) {
            if (n % d == 0) {
                prime = 0;
                break;
            }
        }
        count += prime;
    }
    return count;
}

// FNV-1a (64-bit) over the whole input: one load, xor and multiply per byte.
CORE u64 core_fnv1a(const u8 *mem, u64 len) {
    u64 hash = 0xcbf29ce484222325ULL;
    for (u64 i = 0; i < len; i++) {
        hash ^= mem[i];
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

// CRC-32 (IEEE, bit by bit as zlib computes it) over the whole input.
CORE u64 core_crc32(const u8 *mem, u64 len) {
    u32 crc = 0xffffffff;
    for (u64 i = 0; i < len; i++) {
        crc ^= mem[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }
    return ~crc;
}

#define SORT_N 64
// Insertion sort of the input's first 64 words in a stack array, then a position-weighted checksum.
// The empty asm hides the index's range from the compiler, so the mask stays and the access is not turned into
// a walking pointer, which the verifier cannot bound.
CORE u32 sort_index(u32 i) {
    __asm__ volatile("" : "+r"(i));
    return i & (SORT_N - 1);
}
CORE u64 core_sort(const u8 *mem, u64 len) {
    u32 a[SORT_N];
    if (len < SORT_N * 4)
        return 0;
    for (u32 i = 0; i < SORT_N; i++)
        a[sort_index(i)] = mem[4 * i] | (u32)mem[4 * i + 1] << 8 | (u32)mem[4 * i + 2] << 16 | (u32)mem[4 * i + 3] << 24;
    for (u32 i = 1; i < SORT_N; i++) {
        u32 v = a[sort_index(i)];
        u32 j = i;
        while (j > 0 && a[sort_index(j - 1)] > v) {
            a[sort_index(j)] = a[sort_index(j - 1)];
            j--;
        }
        a[sort_index(j)] = v;
    }
    u64 sum = 0;
    for (u32 i = 0; i < SORT_N; i++)
        sum = sum * 31 + a[sort_index(i)];
    return sum;
}

// A tokenizer as a state machine over the input: a switch on the state per byte, counting the tokens it ends.
CORE u64 core_states(const u8 *mem, u64 len) {
    u32 state = 0;
    u64 tokens = 0, checksum = 0;
    for (u64 i = 0; i < len; i++) {
        u8 c = mem[i] & 0x7f;
        u32 cls = c < 32 ? 0 : c < 48 ? 1 : c < 58 ? 2 : c < 65 ? 3 : c < 91 ? 4 : 5;
        switch (state) {
        case 0: // between tokens
            state = cls == 2 ? 1 : cls == 4 || cls == 5 ? 2 : cls == 3 ? 3 : 0;
            break;
        case 1: // number
            if (cls != 2) { tokens++; checksum += 1; state = cls == 4 ? 2 : 0; }
            break;
        case 2: // word
            if (cls == 2) state = 4;
            else if (cls < 2 || cls == 3) { tokens++; checksum += 2; state = 0; }
            break;
        case 3: // operator
            tokens++; checksum += 3; state = cls == 3 ? 5 : 0;
            break;
        case 4: // identifier with digits
            if (cls < 2) { tokens++; checksum += 4; state = 0; }
            break;
        default: // double operator
            tokens++; checksum += 5; state = 0;
            break;
        }
        checksum = checksum * 3 + state;
    }
    return tokens << 32 ^ checksum;
}

// The bpf-to-bpf call chain's steps: small functions the compiler must keep as calls.
NOINLINE u64 call_mix(u64 h, u64 v) { return (h ^ v) * 0x9e3779b97f4a7c15ULL; }
NOINLINE u64 call_word(const u8 *mem, u64 i) { return mem[i] | (u64)mem[i + 1] << 8; }
NOINLINE u64 call_step(const u8 *mem, u64 i, u64 h) { return call_mix(h, call_word(mem, i)); }

// Two calls deep per 2-byte word of the input's first 4 KiB.
CORE u64 core_calls(const u8 *mem, u64 len) {
    u64 h = 0;
    if (len > 4096)
        len = 4096;
    for (u64 i = 0; i + 1 < len; i += 2)
        h = call_step(mem, i, h);
    return h;
}

// ~115 instructions over 64 bytes: the per-packet size of loop that run costs dominate.
CORE u64 core_shortloop(const u8 *mem, u64 len) {
    if (len < 64)
        return 0;
    u64 acc = 1;
    for (int i = 0; i < 64; i += 4) {
        u32 w = mem[i] | (u32)mem[i + 1] << 8;
        acc = (acc ^ w) * 31 + mem[i + 2];
    }
    return acc;
}

// Hash-map traffic: for each of the input's first 1024 words, look its low 10 bits up in a hash map and count
// (insert 1 when absent). MAP_COUNT is the BPF map's lookup/update or the host's table; the map persists across
// runs, so the steady state is a lookup that hits and an increment.
#ifdef MAP_COUNT
#define MAP_WORDS 1024
CORE u64 core_hashmap(const u8 *mem, u64 len) {
    u64 sum = 0;
    if (len < MAP_WORDS * 4)
        return 0;
    for (u32 i = 0; i < MAP_WORDS; i++) {
        u32 key = (mem[4 * i] | (u32)mem[4 * i + 1] << 8) & 1023;
        sum += MAP_COUNT(key);
    }
    return sum;
}

#endif

// One stage of the tail-call chain: folds 8 bytes of the input (chosen by the stage number) into the hash.
CORE u64 core_stage(const u8 *mem, u64 stage, u64 h) {
    const u8 *p = mem + (stage & 7) * 8;
    for (int i = 0; i < 8; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}
#define CHAIN_STAGES 32

// The ring-buffer producer's record: 16 bytes built from the input, written RECORDS times per run.
#define RECORDS 16
struct record {
    u64 index;
    u64 word;
};
CORE void core_record(struct record *r, const u8 *mem, u64 i) {
    r->index = i;
    r->word = mem[i] | (u64)mem[i + 1] << 8 | (u64)mem[i + 2] << 16;
}

#endif
