#!/usr/bin/env bash
# Rebuilds every example object beside its source, or into OUT_DIR (same relative layout) when given:
#   examples/c/build.sh [OUT_DIR]
# Needs clang with the BPF target and the libbpf headers (Debian: clang llvm libbpf-dev).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-$HERE}
CLANG=${CLANG:-clang}
ARCH_INCLUDE=/usr/include/$(uname -m)-linux-gnu
cd "$HERE"
for src in *.c tailcall/*.c faulty/*.c loader/*.c; do
    [ -e "$src" ] || continue
    obj="$OUT/${src%.c}.o"
    mkdir -p "$(dirname "$obj")"
    # -fdebug-prefix-map keeps the build folder out of the debug info, so rebuilt objects match.
    "$CLANG" -O2 -g -target bpf -I"$ARCH_INCLUDE" -fdebug-prefix-map="$HERE"=. -c "$src" -o "$obj"
done
