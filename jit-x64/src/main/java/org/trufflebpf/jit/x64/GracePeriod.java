package org.trufflebpf.jit.x64;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Knows which native runs are in progress, so a patcher can wait until every run that might still be on an
 * old code path has finished (the kernel waits for an RCU grace period at the same point).
 */
final class GracePeriod {
    private static final AtomicLong NEXT = new AtomicLong();
    private static final Set<Long> ACTIVE = ConcurrentHashMap.newKeySet();

    private GracePeriod() {
    }

    static long enter() {
        long id = NEXT.incrementAndGet();
        ACTIVE.add(id);
        return id;
    }

    static void exit(long id) {
        ACTIVE.remove(id);
    }

    /** Returns once every run that was active when called has ended; runs that start meanwhile are not waited for. */
    static void await() {
        Set<Long> before = new HashSet<>(ACTIVE);
        while (!before.isEmpty()) {
            before.retainAll(ACTIVE);
            if (!before.isEmpty()) {
                Thread.onSpinWait();
                Thread.yield();
            }
        }
    }
}
