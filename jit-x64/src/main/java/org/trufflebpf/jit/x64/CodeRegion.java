package org.trufflebpf.jit.x64;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * One range of address space, reserved once (inaccessible, no memory committed), where every executable code
 * image is placed: any two images are then less than 2 GiB apart, so a direct tail call's {@code jmp rel32}
 * (and any call between images) always reaches its target, wherever the kernel would have put a free-standing
 * mapping. A freed image's pages go back to the reservation.
 */
final class CodeRegion {
    /** Well below the ±2 GiB that rel32 reaches from anywhere inside to anywhere inside. */
    static final long SIZE = 1L << 30;
    private static final long PAGE = 4096;

    private static final int PROT_NONE = 0;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_FIXED = 0x10;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;

    private static final MethodHandle MMAP = Linker.nativeLinker().downcallHandle(
                    Linker.nativeLinker().defaultLookup().find("mmap").orElseThrow(() -> new UnsatisfiedLinkError("libc has no mmap")),
                    FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));

    private static CodeRegion instance;

    private final long base;
    private final FreeRanges free;

    private CodeRegion(long base) {
        this.base = base;
        this.free = new FreeRanges(base, SIZE);
    }

    /** The JVM's code region, reserved on first use. */
    static synchronized CodeRegion get() {
        if (instance == null) {
            long base = reserve(0L, SIZE, 0);
            if (base == -1L) {
                throw new IllegalStateException("could not reserve " + (SIZE >> 20) + " MiB of address space for native code");
            }
            instance = new CodeRegion(base);
        }
        return instance;
    }

    /** Whether {@code [address, address + length)} lies inside the region. */
    boolean contains(long address, long length) {
        return address >= base && address + length <= base + SIZE;
    }

    /** Page-aligned room for {@code size} bytes (a multiple of the page size), still reserved and inaccessible. */
    synchronized long take(long size) {
        long start = free.take(size);
        if (start < 0) {
            throw new IllegalStateException("the " + (SIZE >> 20) + " MiB native code region is full");
        }
        return start;
    }

    /** Returns pages an image no longer maps: they become reserved and inaccessible again, then reusable. */
    synchronized void give(long start, long size) {
        if (reserve(start, size, MAP_FIXED) != start) {
            throw new IllegalStateException("could not return native code pages to the reservation");
        }
        free.give(start, size);
    }

    private static long reserve(long address, long size, int extraFlags) {
        try {
            return (long) MMAP.invokeExact(address, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | extraFlags, -1, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static long pageRounded(long bytes) {
        return Math.max(PAGE, (bytes + PAGE - 1) & -PAGE);
    }
}
