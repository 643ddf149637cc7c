package org.trufflebpf.runtime.maps;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The native memory of one map, from the C heap: zeroed when allocated, all freed at once by {@link #close()}.
 * A shared {@link Arena} would do the same, but closing one costs a handshake with every thread of the JVM (a
 * millisecond and more on a busy machine), and a host that drops modules all day frees thousands of maps: the
 * Cleaner freeing them fell behind at about one module a second. The segments are not scope-checked: a map frees
 * its memory only when nothing can touch it any more (its context closed, or no one holds its module), which is
 * what the runtime guarantees for every raw address a program holds anyway.
 */
final class MapMemory {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle CALLOC = function("calloc", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle POSIX_MEMALIGN = function("posix_memalign", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle FREE = function("free", FunctionDescriptor.ofVoid(JAVA_LONG));
    /** glibc's {@code malloc_trim}; absent from other C libraries, which then keep what they keep. */
    private static final MethodHandle MALLOC_TRIM = LINKER.defaultLookup().find("malloc_trim")
                    .map(address -> LINKER.downcallHandle(address, FunctionDescriptor.of(JAVA_INT, JAVA_LONG))).orElse(null);
    /**
     * How many freed bytes make the C library give its free pages back. glibc keeps memory freed in the middle
     * of its heaps resident; a host that loads and drops maps for hours fragments them, and its resident memory
     * grows without any leak. Trimming after each 64 MiB freed costs a walk of the heaps, rarely.
     */
    private static final long TRIM_AFTER_BYTES = 64L << 20;
    private static final AtomicLong FREED_SINCE_TRIM = new AtomicLong();
    /** What malloc and calloc align to on x86-64 glibc. */
    private static final long MALLOC_ALIGNMENT = 16;
    /**
     * Bytes before and after each block that belong to no map. The C heap puts small blocks 8 bytes apart, so
     * without them an unverified program's overrun of one map's values could land in another map's and pass the
     * region check on one engine and not on the other (whose heap laid the maps out differently). With them an
     * access that misses its map by less than this is refused on every engine, with the same words.
     */
    static final long GUARD_BYTES = 64;

    private final List<Long> blocks = new ArrayList<>();
    private long allocatedBytes;
    private boolean closed;

    private static MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(() -> new IllegalStateException("no " + name + " in the C library")),
                        descriptor);
    }

    /** {@code bytes} zeroed bytes aligned to {@code alignment} (a power of two). */
    synchronized MemorySegment allocate(long bytes, long alignment) {
        if (closed) {
            throw new IllegalStateException("map memory already freed");
        }
        // The leading guard is a multiple of the alignment, so the block keeps the alignment of what it starts in.
        long before = Math.max(GUARD_BYTES, alignment);
        long size = before + Math.max(1, bytes) + GUARD_BYTES;
        long address;
        try {
            if (alignment <= MALLOC_ALIGNMENT) {
                address = (long) CALLOC.invokeExact(1L, size);
            } else {
                try (Arena scratch = Arena.ofConfined()) {
                    MemorySegment out = scratch.allocate(ADDRESS);
                    int error = (int) POSIX_MEMALIGN.invokeExact(out, alignment, size);
                    address = error == 0 ? out.get(JAVA_LONG, 0) : 0;
                }
                if (address != 0) {
                    MemorySegment.ofAddress(address).reinterpret(size).fill((byte) 0);
                }
            }
        } catch (Throwable t) {
            throw new IllegalStateException("native allocation failed", t);
        }
        if (address == 0) {
            throw new OutOfMemoryError("cannot allocate " + bytes + " bytes of map memory");
        }
        blocks.add(address);
        allocatedBytes += size;
        return MemorySegment.ofAddress(address + before).reinterpret(bytes);
    }

    /** Frees every block, once; no thread may touch them any more. */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (long block : blocks) {
            try {
                FREE.invokeExact(block);
            } catch (Throwable t) {
                throw new IllegalStateException("free failed", t);
            }
        }
        blocks.clear();
        if (MALLOC_TRIM != null && FREED_SINCE_TRIM.addAndGet(allocatedBytes) >= TRIM_AFTER_BYTES) {
            FREED_SINCE_TRIM.set(0);
            try {
                int ignored = (int) MALLOC_TRIM.invokeExact(0L);
            } catch (Throwable t) {
                throw new IllegalStateException("malloc_trim failed", t);
            }
        }
    }
}
