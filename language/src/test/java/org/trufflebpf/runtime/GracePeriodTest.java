package org.trufflebpf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/**
 * Work deferred until the runs active now have ended: done at once without runs, by the thread that ends the
 * last of them, or by a waiting thread that is in no run; a thread inside a run (of any context) never waits,
 * so two runs that each change the other's prog arrays cannot wait for each other.
 */
class GracePeriodTest {
    @Test
    void workWithNoRunInProgressIsDoneAtOnce() {
        GracePeriod runs = new GracePeriod();
        AtomicBoolean done = new AtomicBoolean();
        runs.defer(() -> done.set(true));
        assertTrue(done.get());
    }

    @Test
    void workWaitsForTheRunsActiveWhenItWasDeferredButNotForLaterOnes() {
        GracePeriod runs = new GracePeriod();
        AtomicBoolean done = new AtomicBoolean();
        long first = runs.enter();
        runs.defer(() -> done.set(true));
        long later = runs.enter();
        assertFalse(done.get());
        runs.exit(first);
        assertTrue(done.get(), "done when the run it waited for ended, though a later run goes on");
        runs.exit(later);
    }

    @Test
    void aThreadInNoRunWaitsUntilTheWorkIsDone() throws Exception {
        GracePeriod runs = new GracePeriod();
        CountDownLatch end = new CountDownLatch(1);
        Thread run = runUntil(runs, end);
        AtomicBoolean done = new AtomicBoolean();
        Thread ender = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            end.countDown();
        });
        ender.start();
        runs.afterActiveRuns(() -> done.set(true));
        assertTrue(done.get(), "the work is done when afterActiveRuns returns");
        run.join();
        ender.join();
    }

    @Test
    void aWaiterAlsoWaitsForWorkThatAnotherThreadIsDoingNow() throws Exception {
        // The thread that ends the last run takes the work off the list and does it; a waiter arriving in the
        // middle once found the list empty and returned while the work was half done (seen as a direct tail-call
        // site still in state D after its slot was emptied).
        GracePeriod runs = new GracePeriod();
        CountDownLatch end = new CountDownLatch(1);
        Thread run = runUntil(runs, end);
        CountDownLatch workStarted = new CountDownLatch(1);
        CountDownLatch mayFinish = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        runs.defer(() -> {
            workStarted.countDown();
            try {
                mayFinish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.set(true);
        });
        end.countDown();
        assertTrue(workStarted.await(10, TimeUnit.SECONDS));
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            mayFinish.countDown();
        });
        releaser.start();
        runs.awaitDeferred();
        assertTrue(done.get(), "awaitDeferred returned only after the other thread's work was done");
        run.join();
        releaser.join();
    }

    @Test
    void runsOfTwoContextsThatDeferWorkOnEachOtherNeverWait() throws Exception {
        GracePeriod a = new GracePeriod();
        GracePeriod b = new GracePeriod();
        CountDownLatch bothRunning = new CountDownLatch(2);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean aWorkDone = new AtomicBoolean();
        AtomicBoolean bWorkDone = new AtomicBoolean();
        // A run of A defers work on B's runs and a run of B on A's: were either to wait, neither would end.
        Thread inA = new Thread(() -> runThenDefer(a, b, bothRunning, bWorkDone, failure));
        Thread inB = new Thread(() -> runThenDefer(b, a, bothRunning, aWorkDone, failure));
        inA.start();
        inB.start();
        inA.join(TimeUnit.SECONDS.toMillis(10));
        inB.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(inA.isAlive() || inB.isAlive(), "the runs waited for each other");
        assertEquals(null, failure.get());
        assertTrue(aWorkDone.get() && bWorkDone.get(), "each piece of work was done when the other run ended");
    }

    /** What runs read and deferred work frees: a run must never find the one it read freed before it ends. */
    private static final class Slot {
        volatile boolean freed;
    }

    @Test
    void workNeverHappensWhileARunThatReadTheOldStateIsInProgressWithRunsNestedThreeDeepAndEndingInAnyOrder() throws Exception {
        // The runs' records take no lock: their owners change them while other threads read them. Runs here nest
        // and end in any order (an inner end moves the ids above it down), so a reader that copied a record
        // halfway through a change could miss a run in progress and free its slot under it.
        GracePeriod period = new GracePeriod();
        AtomicReference<Slot> published = new AtomicReference<>(new Slot());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> violation = new AtomicReference<>();
        AtomicLong runsDone = new AtomicLong();
        Thread[] runners = new Thread[2];
        for (int t = 0; t < runners.length; t++) {
            long seed = t;
            runners[t] = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                long[] ids = new long[3];
                Slot[] read = new Slot[3];
                while (!stop.get() && violation.get() == null) {
                    // One to three nested runs, each reading the slot once it has started.
                    int depth = 1 + random.nextInt(3);
                    for (int i = 0; i < depth; i++) {
                        ids[i] = period.enter();
                        read[i] = published.get();
                    }
                    for (int spin = random.nextInt(64); spin > 0; spin--) {
                        Thread.onSpinWait();
                    }
                    // They end in any order; after each end, every run still in progress must still have its slot.
                    for (int left = depth; left > 0; left--) {
                        int ending = random.nextInt(left);
                        period.exit(ids[ending]);
                        ids[ending] = ids[left - 1];
                        read[ending] = read[left - 1];
                        for (int i = 0; i < left - 1; i++) {
                            if (read[i].freed) {
                                violation.set("a slot was freed while a run that read it was in progress");
                            }
                        }
                    }
                    runsDone.incrementAndGet();
                }
            });
            runners[t].start();
        }
        List<Slot> retired = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
        while (System.nanoTime() < end && violation.get() == null) {
            Slot old = published.getAndSet(new Slot());
            retired.add(old);
            period.defer(() -> old.freed = true);
        }
        stop.set(true);
        for (Thread runner : runners) {
            runner.join(TimeUnit.SECONDS.toMillis(10));
        }
        period.awaitDeferred();
        assertEquals(null, violation.get());
        assertTrue(runsDone.get() > 1000, "the runners ran: " + runsDone.get());
        assertTrue(retired.stream().allMatch(slot -> slot.freed), "every retired slot is freed once the runs are over");
    }

    private static void runThenDefer(GracePeriod own, GracePeriod other, CountDownLatch bothRunning, AtomicBoolean done, AtomicReference<Throwable> failure) {
        long id = own.enter();
        try {
            bothRunning.countDown();
            assertTrue(bothRunning.await(10, TimeUnit.SECONDS));
            other.afterActiveRuns(() -> done.set(true));
        } catch (Throwable t) {
            failure.set(t);
        } finally {
            own.exit(id);
        }
    }

    /**
     * A native run on a thread of its own, entered when this returns and ended (its exit doing the work that
     * waited only for it, on that thread) once {@code end} is counted down.
     */
    private static Thread runUntil(GracePeriod runs, CountDownLatch end) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        Thread run = new Thread(() -> {
            long id = runs.enter();
            running.countDown();
            try {
                end.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            runs.exit(id);
        });
        run.start();
        assertTrue(running.await(10, TimeUnit.SECONDS));
        return run;
    }
}
