// CRC-32 (the IEEE polynomial, bit by bit, as zlib's crc32 computes it) over the packet: a benchmark whose
// time goes into one inner loop. bpf run --cpusampler names its hot line.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_BYTES 1500

SEC("xdp")
int crc32(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    unsigned char *data_end = (void *)(long)ctx->data_end;
    __u32 crc = 0xffffffff;
    for (int i = 0; i < MAX_BYTES; i++) {
        if (data + i + 1 > data_end)
            break;
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }
    return ~crc;
}

char LICENSE[] SEC("license") = "GPL";
