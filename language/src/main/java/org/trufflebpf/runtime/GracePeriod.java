package org.trufflebpf.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The native runs of one context in progress, and work that must wait until every run active now has ended:
 * a removed direct tail call's site may become a nop again, and code may be freed, only when no run can still
 * be on the old path (the kernel waits for an RCU grace period at the same points). There is one per context,
 * so one context's long run never delays another context's patching.
 *
 * <p>No thread waits while it is inside a native run (of any context): such a thread (a helper's host code that
 * changes a prog array or loads a module) could wait for a run that waits for it. Its work is left to the
 * thread whose run ends last instead. A thread in no run waits, and callers hold no lock a run might need.
 */
public final class GracePeriod {
    /** Native runs (of any context) the current thread is inside: runs nest when host code runs a program. */
    private static final ThreadLocal<int[]> RUNS_OF_THREAD = ThreadLocal.withInitial(() -> new int[1]);

    /** Gives each thread's record of this context its slot, the high bits of the ids of the thread's runs. */
    private final AtomicLong slots = new AtomicLong();
    /**
     * The ids of the runs in progress, per thread: a thread's entry is made at its first run and then reused, so
     * entering and leaving a run allocate nothing (a set of boxed ids made two objects per run).
     */
    private final Set<ThreadRuns> threads = ConcurrentHashMap.newKeySet();
    private final CachedThreadLocal<ThreadRuns> threadRuns = new CachedThreadLocal<>(() -> {
        ThreadRuns runs = new ThreadRuns(this, Thread.currentThread(), slots.getAndIncrement());
        threads.add(runs);
        return runs;
    });

    /**
     * One thread's runs in progress, innermost last (runs nest when host code runs a program). Only the owner
     * changes it, and it takes no lock: entering and leaving a run is on the path of every run, where two lock
     * round trips and a shared counter cost more than short programs do. Other threads read it as a sequence
     * lock's readers: {@link #changes} is odd while the owner changes the ids, and a copy made while it stayed
     * the same and even is exact.
     */
    public static final class ThreadRuns {
        private static final VarHandle CHANGES;
        static {
            try {
                CHANGES = MethodHandles.lookup().findVarHandle(ThreadRuns.class, "changes", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final WeakReference<Thread> owner;
        /**
         * Weak: the thread-local's value must not hold its context's grace period (and with it the thread-local,
         * its own key), or a thread would keep every context it ever ran alive.
         */
        private final WeakReference<GracePeriod> period;
        /** The owner's {@link #RUNS_OF_THREAD} counter, kept here so that entering and leaving a run look up one thread-local, not two. */
        final int[] runsOfThread = RUNS_OF_THREAD.get();
        /**
         * The high bits of this thread's run ids, its low bits a count of the thread's runs. Ids need only
         * differ among the runs in progress and the work waiting: should two ever meet (after 2^40 runs of a
         * thread, or 2^23 threads), work waits for a run it need not, which delays it and frees nothing early.
         */
        private final long idBase;
        private long runCount;
        private long[] ids = new long[4];
        private int depth;
        private volatile long changes;

        ThreadRuns(GracePeriod period, Thread owner, long slot) {
            this.period = new WeakReference<>(period);
            this.owner = new WeakReference<>(owner);
            this.idBase = (slot & ((1L << 23) - 1)) << 40;
        }

        /** By the owner: a native run starts on it; returns the run's id for {@link #exit}. */
        public long enter() {
            long id = push();
            runsOfThread[0]++;
            return id;
        }

        /** By the owner: the run has left native code; work that waited only for it (and runs already ended) happens now. */
        public void exit(long id) {
            pop(id);
            runsOfThread[0]--;
            GracePeriod of = period.get();
            if (of != null && of.anyPending) {
                of.runDue();
            }
        }

        private long push() {
            long id = idBase | (++runCount & ((1L << 40) - 1));
            // Grown before the change starts: nothing in it may throw, or readers would wait on an odd count.
            long[] room = depth == ids.length ? Arrays.copyOf(ids, depth * 2) : ids;
            long version = changes;
            try {
                CHANGES.setOpaque(this, version + 1);
                VarHandle.storeStoreFence();
                ids = room;
                ids[depth++] = id;
            } finally {
                // A volatile write: its fence also keeps the run's later reads (of a prog array slot, say) from
                // happening before the id is seen, as work deferred after such a slot changed must wait for the run.
                changes = version + 2;
            }
            return id;
        }

        private void pop(long id) {
            // Runs end innermost first; search anyway, so a mismatched exit never drops another run's id.
            for (int i = depth - 1; i >= 0; i--) {
                if (ids[i] == id) {
                    long version = changes;
                    try {
                        CHANGES.setOpaque(this, version + 1);
                        VarHandle.storeStoreFence();
                        System.arraycopy(ids, i + 1, ids, i, depth - i - 1);
                        depth--;
                    } finally {
                        CHANGES.setRelease(this, version + 2);
                    }
                    return;
                }
            }
        }

        /** By any thread: adds the ids of the runs in progress now. */
        void addTo(Set<Long> into) {
            for (int spins = 0;; spins++) {
                long before = (long) CHANGES.getAcquire(this);
                if ((before & 1) == 0) {
                    long[] seen = ids;
                    int n = Math.min(depth, seen.length);
                    long[] copy = Arrays.copyOf(seen, n);
                    VarHandle.loadLoadFence();
                    if ((long) CHANGES.getAcquire(this) == before) {
                        for (long id : copy) {
                            into.add(id);
                        }
                        return;
                    }
                }
                // The owner is between two of its own writes, never waiting on anything: it is done shortly.
                if (spins < 100) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }
    }

    /** The ids of the runs in progress now; forgets the threads that have died out of any run. */
    private Set<Long> active() {
        // The caller's change (a slot emptied, code unlinked) is made before the runs are read, so that a run
        // the read misses starts after the change and can only see the new state (its push has the same fence).
        VarHandle.fullFence();
        Set<Long> ids = new HashSet<>();
        for (var it = threads.iterator(); it.hasNext();) {
            ThreadRuns runs = it.next();
            int before = ids.size();
            runs.addTo(ids);
            // Ids differ between threads, so a thread whose copy added none has no run in progress.
            if (runs.owner.get() == null && ids.size() == before) {
                it.remove();
            }
        }
        return ids;
    }
    /** Work waiting for runs to end; guarded by this object, whose lock is never held while work runs. */
    private final List<Pending> pending = new ArrayList<>();
    /**
     * Work taken off {@link #pending} whose action another thread is doing now; guarded by this object. A
     * waiter must see it too: otherwise it could return while the work it waits for is half done.
     */
    private final List<Pending> inProgress = new ArrayList<>();
    private volatile boolean anyPending;

    private static final class Pending {
        final Set<Long> runs;
        final Runnable action;
        volatile boolean done;

        Pending(Set<Long> runs, Runnable action) {
            this.runs = runs;
            this.action = action;
        }
    }

    /** The current thread's runs of this context: a run enters and exits through them (one lookup per run). */
    public ThreadRuns ofCurrentThread() {
        return threadRuns.get();
    }

    /** A native run starts on this thread; returns its id for {@link #exit}. */
    public long enter() {
        return threadRuns.get().enter();
    }

    /** The run has left native code; work that waited only for it (and runs already ended) happens now. */
    public void exit(long id) {
        threadRuns.get().exit(id);
    }

    /** Whether the current thread is inside a native run of any context. */
    private static boolean insideRun() {
        return RUNS_OF_THREAD.get()[0] > 0;
    }

    /**
     * Runs {@code action} once every run of this context that is active now has ended: at once when there is
     * none, else on the thread that ends the last of those runs or in {@link #awaitDeferred}. Never waits, so
     * it may be called under a lock; it then does no work but its own, since other work may take locks in
     * another order (two prog arrays' patch locks, each held by a thread removing a slot, would deadlock).
     */
    public void defer(Runnable action) {
        Pending work = new Pending(active(), action);
        if (work.runs.isEmpty()) {
            action.run();
            return;
        }
        boolean due;
        synchronized (this) {
            pending.add(work);
            anyPending = true;
            // The runs may have ended before the work was listed, their exit seeing nothing pending.
            work.runs.retainAll(active());
            due = work.runs.isEmpty() && pending.remove(work);
            if (due) {
                inProgress.add(work);
            }
            anyPending = !pending.isEmpty();
        }
        if (due) {
            try {
                action.run();
            } finally {
                finished(work);
            }
        }
    }

    /**
     * Waits until the work deferred so far is done, unless the current thread is inside a native run (then the
     * work is left to the runs' threads). Call it holding no lock that a run might need.
     */
    public void awaitDeferred() {
        if (insideRun()) {
            return;
        }
        List<Pending> awaited;
        synchronized (this) {
            awaited = new ArrayList<>(pending);
            awaited.addAll(inProgress);
        }
        for (Pending work : awaited) {
            for (int spins = 0; !work.done; spins++) {
                runDue();
                if (!work.done) {
                    if (spins < 1000) {
                        Thread.yield();
                    } else {
                        LockSupport.parkNanos(100_000);
                    }
                }
            }
        }
    }

    /** {@link #defer} then {@link #awaitDeferred}: on a thread in no run, the action is done when this returns. */
    public void afterActiveRuns(Runnable action) {
        defer(action);
        awaitDeferred();
    }

    /** Takes the work whose runs have all ended off the list and does it, outside this object's lock. */
    private void runDue() {
        List<Pending> due = new ArrayList<>();
        synchronized (this) {
            Set<Long> active = active();
            for (var it = pending.iterator(); it.hasNext();) {
                Pending work = it.next();
                work.runs.retainAll(active);
                if (work.runs.isEmpty()) {
                    it.remove();
                    due.add(work);
                }
            }
            inProgress.addAll(due);
            anyPending = !pending.isEmpty();
        }
        RuntimeException failure = null;
        for (Pending work : due) {
            try {
                work.action.run();
            } catch (RuntimeException e) {
                // The other work still happens; the first failure reaches whoever did the work.
                failure = failure == null ? e : failure;
            } finally {
                finished(work);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void finished(Pending work) {
        synchronized (this) {
            inProgress.remove(work);
        }
        work.done = true;
    }
}
