package org.trufflebpf.runtime;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * A word of native memory through which the host asks the native code running on one thread to come back to
 * it: another thread sets it (to cancel or interrupt a context, or for any other safepoint action), native code
 * reads it at every function entry and loop head and, when set, calls the host, which clears it and then stops
 * the run or lets it go on. One per context and thread. The memory lives as long as anything refers to this
 * object, so a request that arrives as a run ends never writes to freed memory.
 */
public final class CancelFlag {
    private static final VarHandle WORD = JAVA_LONG.varHandle();

    /** Set once, under the lock; volatile so that every run after the first reads it without taking the lock. */
    private volatile MemorySegment word;

    /** The word's address, for native code; allocated on first use (contexts that never run native code need none). */
    public long address() {
        return word().address();
    }

    private MemorySegment word() {
        MemorySegment made = word;
        return made != null ? made : allocate();
    }

    private synchronized MemorySegment allocate() {
        if (word == null) {
            MemorySegment fresh = Arena.ofAuto().allocate(JAVA_LONG);
            fresh.fill((byte) 0);
            word = fresh;
        }
        return word;
    }

    /** From any thread: the code polls at its next function entry or loop head. */
    public void request() {
        WORD.setVolatile(word(), 0L, 1L);
    }

    /** By the run's thread, before it asks the host what was requested. */
    public void clear() {
        WORD.setVolatile(word(), 0L, 0L);
    }

    public boolean isRequested() {
        return (long) WORD.getVolatile(word(), 0L) != 0;
    }
}
