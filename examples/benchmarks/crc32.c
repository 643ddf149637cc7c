// CRC-32 (the IEEE polynomial, bit by bit, as zlib's crc32 computes it) over the first 64 bytes of the packet:
// a benchmark whose time goes into one inner loop. bpf run --cpusampler names its function and hot line (23); packets shorter
// than 64 bytes give 0. Built as the C examples are (from this folder):
//   clang -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -fdebug-prefix-map=$PWD=. -c crc32.c -o crc32.o
// It lies apart from examples/c because the kernel's verifier refuses it as too complex ("BPF program is too
// large"), while the example suites run every example on all three engines.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define BYTES 64

SEC("xdp")
int crc32(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    unsigned char *data_end = (void *)(long)ctx->data_end;
    if (data + BYTES > data_end)
        return 0;
    __u32 crc = 0xffffffff;
    for (int i = 0; i < BYTES; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }
    return ~crc;
}

char LICENSE[] SEC("license") = "GPL";
