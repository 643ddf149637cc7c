#!/usr/bin/env bash
# Rebuilds the suite's BPF objects beside their sources (crc32.c, not in the suite, names its own command); host.c is compiled by `bpf bench --peers`
# itself, with gcc -O2, at run time. Needs clang with the BPF target and the libbpf headers.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLANG=${CLANG:-clang}
ARCH_INCLUDE=/usr/include/$(uname -m)-linux-gnu
cd "$HERE"
for src in bench_*.c; do
    # -fdebug-prefix-map keeps the build folder out of the debug info, so rebuilt objects match.
    "$CLANG" -O2 -g -target bpf -I"$ARCH_INCLUDE" -fdebug-prefix-map="$HERE"=. -c "$src" -o "${src%.c}.o"
done
