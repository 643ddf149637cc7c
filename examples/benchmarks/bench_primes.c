// Benchmark 'primes' as a raw program (r1 = input, r2 = its length); its core is in cores.h.
#include "cores.h"

__attribute__((section("bench"), used)) u64 primes(const u8 *mem, u64 len)
{
    return core_primes();
}

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
