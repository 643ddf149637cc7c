package org.trufflebpf.runtime;

/**
 * A range of native memory a run may touch.
 *
 * @param name     what it is, for error messages (stack, context, packet, map NAME, ...)
 * @param base     first address
 * @param size     length in bytes
 * @param writable whether programs may store into it
 */
public record MemoryRegion(String name, long base, long size, boolean writable) {

    /** Whether {@code [address, address + length)} lies inside this region. */
    public boolean contains(long address, long length) {
        return contains(base, size, address, length);
    }

    /**
     * Whether {@code [address, address + length)} lies inside {@code [base, base + size)}: the one test every
     * bounds check of a run makes (regions, frames, a key in the caller's frame).
     */
    public static boolean contains(long base, long size, long address, long length) {
        // Unsigned arithmetic so that wrapped addresses never pass.
        long offset = address - base;
        return Long.compareUnsigned(offset, size) < 0 && Long.compareUnsigned(length, size - offset) <= 0;
    }
}
