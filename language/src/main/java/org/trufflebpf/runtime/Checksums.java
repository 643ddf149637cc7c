package org.trufflebpf.runtime;

/**
 * The Internet checksum arithmetic of the kernel's checksum helpers, on x86-64: ones' complement sums of
 * little-endian words (the byte order does not change a ones' complement sum, only how it is shown, so values
 * are kept as x86 loads them from the packet). {@code __wsum} values are 32-bit sums not yet folded,
 * {@code __sum16} values the folded, complemented 16-bit checksum as the packet holds it.
 */
final class Checksums {
    private Checksums() {
    }

    /** csum_add: a 32-bit add with the carry wrapped around. */
    static long add(long a, long b) {
        long sum = (a & 0xffffffffL) + (b & 0xffffffffL);
        return (sum + (sum >>> 32)) & 0xffffffffL;
    }

    /** csum_sub: adds the complement. */
    static long sub(long a, long b) {
        return add(a, ~b);
    }

    /** csum_fold: the 32-bit sum folded to 16 bits and complemented. */
    static int fold(long wsum) {
        long sum = wsum & 0xffffffffL;
        sum = (sum + ((sum >>> 16) | (sum << 16))) & 0xffffffffL;
        return (int) (~(sum >>> 16) & 0xffff);
    }

    /** csum_from32to16: the 32-bit sum folded to 16 bits, not complemented (bpf_csum_diff's result). */
    static long from32to16(long wsum) {
        long sum = wsum & 0xffffffffL;
        sum = (sum + ((sum >>> 16) | (sum << 16))) & 0xffffffffL;
        return sum >>> 16;
    }

    /**
     * csum_partial as x86-64 computes it: 64-bit little-endian words (a short tail zero-extended) summed with
     * end-around carry from the seed, then the two halves added ({@code (sum + ror64(sum, 32)) >> 32}).
     */
    static long partial(byte[] bytes, long seed) {
        long sum = seed & 0xffffffffL;
        for (int at = 0; at < bytes.length; at += 8) {
            long word = 0;
            for (int i = Math.min(7, bytes.length - at - 1); i >= 0; i--) {
                word = (word << 8) | (bytes[at + i] & 0xff);
            }
            long added = sum + word;
            sum = added + (Long.compareUnsigned(added, sum) < 0 ? 1 : 0);
        }
        return ((sum + Long.rotateRight(sum, 32)) >>> 32) & 0xffffffffL;
    }

    /** csum_replace2: replaces a 16-bit word under the checksum with 16-bit ones' complement arithmetic. */
    static int replace2(int check, int from, int to) {
        return ~add16(add16(~check, ~from), to) & 0xffff;
    }

    private static int add16(int a, int b) {
        int sum = (a & 0xffff) + (b & 0xffff);
        return (sum + (sum >>> 16)) & 0xffff;
    }

    /** csum_replace4: replaces a 32-bit word under the checksum. */
    static int replace4(int check, long from, long to) {
        long unfolded = ~(check & 0xffffL) & 0xffffffffL;
        return fold(add(sub(unfolded, from), to));
    }

    /** csum_replace_by_diff: adds a {@code __wsum} difference (as bpf_csum_diff gives) to the checksum. */
    static int replaceByDiff(int check, long diff) {
        return fold(add(diff, ~(check & 0xffffL)));
    }
}
