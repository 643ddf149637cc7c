// Benchmark 'shortloop' as a raw program (r1 = input, r2 = its length); its core is in cores.h.
#include "cores.h"

__attribute__((section("bench"), used)) u64 shortloop(const u8 *mem, u64 len)
{
    return core_shortloop(mem, len);
}

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
