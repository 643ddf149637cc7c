package org.trufflebpf.jit.x64;

import java.util.ArrayDeque;
import java.util.Deque;
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
    /** The runs of this thread (runs nest when a helper runs a program). */
    private static final ThreadLocal<Deque<Long>> MINE = ThreadLocal.withInitial(ArrayDeque::new);

    private GracePeriod() {
    }

    static long enter() {
        long id = NEXT.incrementAndGet();
        ACTIVE.add(id);
        MINE.get().push(id);
        return id;
    }

    static void exit(long id) {
        ACTIVE.remove(id);
        MINE.get().remove(id);
    }

    /**
     * Returns once every run that was active when called has ended; runs that start meanwhile are not waited
     * for, nor are the calling thread's own runs: a thread patching from inside a helper call is not between
     * a bypass and its target (no call lies there), and waiting for itself would never end.
     */
    static void await() {
        Set<Long> before = new HashSet<>(ACTIVE);
        before.removeAll(MINE.get());
        while (!before.isEmpty()) {
            before.retainAll(ACTIVE);
            if (!before.isEmpty()) {
                Thread.onSpinWait();
                Thread.yield();
            }
        }
    }
}
