package org.trufflebpf.truffle;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A caller's memory that a raw-memory run uses as its input in place, with no copy in or out: a direct
 * {@link ByteBuffer} (bytes 0 to its limit) or a native {@link MemorySegment} (all of it). {@code keepAlive} is
 * what must stay reachable until the run is over, so that the memory is not freed under it.
 */
record InPlaceInput(long address, int length, boolean writable, Object keepAlive) {
    /** A thread that never runs: a segment accessible to it is not confined to one thread. */
    private static final Thread NO_OWNER = new Thread(() -> {
    });

    /**
     * {@code host} in place, or null when it must be copied. A segment qualifies only when it is confined to the
     * current thread, which runs the program and so cannot close its arena meanwhile; a shared arena can be closed
     * by any thread at any moment, and an automatic or global one cannot be told from it, so those are copied (FFM
     * then checks the access).
     */
    static InPlaceInput of(Object host) {
        if (host instanceof ByteBuffer buffer) {
            if (!buffer.isDirect() || buffer.limit() == 0) {
                return null;
            }
            return new InPlaceInput(MemorySegment.ofBuffer(buffer).address() - buffer.position(), buffer.limit(), !buffer.isReadOnly(), buffer);
        }
        if (host instanceof MemorySegment segment) {
            boolean confinedHere = segment.isAccessibleBy(Thread.currentThread()) && !segment.isAccessibleBy(NO_OWNER);
            if (!segment.isNative() || segment.byteSize() == 0 || segment.byteSize() > Integer.MAX_VALUE || !confinedHere || !segment.scope().isAlive()) {
                return null;
            }
            return new InPlaceInput(segment.address(), (int) segment.byteSize(), !segment.isReadOnly(), segment);
        }
        return null;
    }
}
