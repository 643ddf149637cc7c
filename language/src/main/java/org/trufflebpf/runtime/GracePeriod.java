package org.trufflebpf.runtime;

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

    private final AtomicLong next = new AtomicLong();
    /**
     * The ids of the runs in progress, per thread: a thread's entry is made at its first run and then reused, so
     * entering and leaving a run allocate nothing (a set of boxed ids made two objects per run).
     */
    private final Set<ThreadRuns> threads = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<ThreadRuns> threadRuns = ThreadLocal.withInitial(() -> {
        ThreadRuns runs = new ThreadRuns(Thread.currentThread());
        threads.add(runs);
        return runs;
    });

    /** One thread's runs in progress, innermost last (runs nest when host code runs a program); guarded by itself. */
    private static final class ThreadRuns {
        final WeakReference<Thread> owner;
        /** The owner's {@link #RUNS_OF_THREAD} counter, kept here so that entering and leaving a run look up one thread-local, not two. */
        final int[] runsOfThread = RUNS_OF_THREAD.get();
        long[] ids = new long[4];
        int depth;

        ThreadRuns(Thread owner) {
            this.owner = new WeakReference<>(owner);
        }

        synchronized void push(long id) {
            if (depth == ids.length) {
                ids = Arrays.copyOf(ids, depth * 2);
            }
            ids[depth++] = id;
        }

        synchronized void pop(long id) {
            // Runs end innermost first; search anyway, so a mismatched exit never drops another run's id.
            for (int i = depth - 1; i >= 0; i--) {
                if (ids[i] == id) {
                    System.arraycopy(ids, i + 1, ids, i, depth - i - 1);
                    depth--;
                    return;
                }
            }
        }

        synchronized void addTo(Set<Long> into) {
            for (int i = 0; i < depth; i++) {
                into.add(ids[i]);
            }
        }

        synchronized boolean idle() {
            return depth == 0;
        }
    }

    /** The ids of the runs in progress now; forgets the threads that have died out of any run. */
    private Set<Long> active() {
        Set<Long> ids = new HashSet<>();
        for (var it = threads.iterator(); it.hasNext();) {
            ThreadRuns runs = it.next();
            runs.addTo(ids);
            if (runs.owner.get() == null && runs.idle()) {
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

    /** A native run starts on this thread; returns its id for {@link #exit}. */
    public long enter() {
        long id = next.incrementAndGet();
        ThreadRuns runs = threadRuns.get();
        runs.push(id);
        runs.runsOfThread[0]++;
        return id;
    }

    /** The run has left native code; work that waited only for it (and runs already ended) happens now. */
    public void exit(long id) {
        ThreadRuns runs = threadRuns.get();
        runs.pop(id);
        runs.runsOfThread[0]--;
        if (anyPending) {
            runDue();
        }
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
