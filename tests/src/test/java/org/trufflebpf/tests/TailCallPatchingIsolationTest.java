package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/**
 * Emptying a prog array slot that direct tail calls jump through waits for a grace period: every native run that
 * may be past a site's bypass must have left. That wait belongs to the array's context: another context's long
 * run never delays it, and a run of the same context that changes a slot from host code (here the stream that
 * trace_printk writes to) neither waits for itself nor deadlocks with a thread waiting out the grace period.
 */
class TailCallPatchingIsolationTest {
    /** A direct tail call (constant key 0) through {@code jumps}; without a target it returns 1. */
    private static final String DIRECT = """
                    .map jumps prog_array key=4 value=4 entries=1
                    .program caller socket
                        mov %r6, %r1
                        PRINT
                        mov %r1, %r6
                        lddw %r2, map:jumps
                        mov %r3, 0
                        call tail_call
                        mov %r0, 1
                        exit
                    .program target socket
                        mov %r0, 42
                        exit
                    """;

    private static final String PRINT_BANG = "stw [%r10-8], 0x21\n    mov %r1, %r10\n    add %r1, -8\n    mov %r2, 8\n    call trace_printk";

    /** Sets {@code started} and spins until the host sets {@code stop} (unverified: the loop is unbounded). */
    private static final String SPIN_UNTIL_STOPPED = """
                    .map started array key=4 value=8 entries=1
                    .map stop array key=4 value=8 entries=1
                    .program spin raw
                        lddw %r1, map_value:started+0
                        stdw [%r1+0], 1
                        lddw %r6, map_value:stop+0
                    loop:
                        ldxdw %r0, [%r6+0]
                        jeq %r0, 0, loop
                        exit
                    """;

    private static final byte[] PACKET = new byte[64];

    /** A started daemon thread (a deadlocked one must not keep the test JVM alive); a failure lands in {@code failure}. */
    private static Thread daemon(Runnable body, AtomicReference<Throwable> failure) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @Test
    void anotherContextsLongNativeRunDoesNotDelayEmptyingASlot() throws Exception {
        try (Context busy = BpfRunner.contextBuilder().option("bpf.Engine", "native").option("bpf.Verify", "false")
                        .option("bpf.InstructionLimit", "100000000000").build();
                        Context patching = BpfRunner.contextBuilder().option("bpf.Engine", "native").build()) {
            Value spinning = BpfRunner.evalAsm(busy, SPIN_UNTIL_STOPPED, "spin.s");
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean finished = new AtomicBoolean();
            Thread longRun = daemon(() -> {
                try {
                    spinning.getMember("spin").execute();
                } finally {
                    finished.set(true);
                }
            }, failure);
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (spinning.getMember("started").getArrayElement(0).asLong() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertEquals(1, spinning.getMember("started").getArrayElement(0).asLong(), "the long run started");

                Value module = BpfRunner.evalAsm(patching, DIRECT.replace("PRINT", ""), "direct.s");
                Value jumps = module.getMember("jumps");
                assertEquals(1, module.getMember("caller").execute(PACKET).asLong());
                AtomicLong millis = new AtomicLong(-1);
                AtomicBoolean runningThroughout = new AtomicBoolean();
                Thread changes = daemon(() -> {
                    long start = System.nanoTime();
                    for (int i = 0; i < 20; i++) {
                        jumps.setArrayElement(0, module.getMember("target"));
                        assertEquals(42, module.getMember("caller").execute(PACKET).asLong());
                        jumps.removeArrayElement(0);
                        assertEquals(1, module.getMember("caller").execute(PACKET).asLong());
                    }
                    millis.set(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                    runningThroughout.set(!finished.get());
                }, failure);
                changes.join(TimeUnit.SECONDS.toMillis(10));
                assertFalse(changes.isAlive(), "20 slot changes did not end while the other context's run went on");
                assertTrue(runningThroughout.get(), "the other context's run was still going");
                assertTrue(millis.get() >= 0 && millis.get() < 1000, "20 slot changes with removals took " + millis.get() + " ms");
            } finally {
                spinning.getMember("stop").setArrayElement(0, 1L);
                longRun.join(TimeUnit.SECONDS.toMillis(60));
            }
            assertFalse(longRun.isAlive(), "the long run stopped when told to");
            assertEquals(null, failure.get());
        }
    }

    @Test
    void aRunThatRefillsASlotFromHostCodeWhileAnotherThreadWaitsOutItsRemovalDoesNotDeadlock() throws Exception {
        CountDownLatch runInHostCode = new CountDownLatch(1);
        CountDownLatch removalStarted = new CountDownLatch(1);
        AtomicReference<Value> moduleRef = new AtomicReference<>();
        AtomicBoolean firstWrite = new AtomicBoolean(true);
        AtomicBoolean removalReturned = new AtomicBoolean();
        AtomicBoolean removalDoneInsideRun = new AtomicBoolean();
        // trace_printk's output: the run's own thread, inside the run, waits until another thread is waiting out
        // the removal of slot 0 (which must wait for this very run), then fills the slot again.
        OutputStream refillsTheSlot = new OutputStream() {
            @Override
            public void write(int b) {
                refill();
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                refill();
            }

            private void refill() {
                if (!firstWrite.getAndSet(false)) {
                    return;
                }
                runInHostCode.countDown();
                try {
                    assertTrue(removalStarted.await(30, TimeUnit.SECONDS));
                    Thread.sleep(300); // the removal is now waiting for this run
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Value module = moduleRef.get();
                module.getMember("jumps").setArrayElement(0, module.getMember("target"));
                removalDoneInsideRun.set(removalReturned.get());
            }
        };
        try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", "native").out(refillsTheSlot).build()) {
            Value module = BpfRunner.evalAsm(context, DIRECT.replace("PRINT", PRINT_BANG), "direct.s");
            moduleRef.set(module);
            module.getMember("jumps").setArrayElement(0, module.getMember("target"));
            AtomicLong result = new AtomicLong();
            AtomicReference<Throwable> failures = new AtomicReference<>();
            Thread run = daemon(() -> result.set(module.getMember("caller").execute(PACKET).asLong()), failures);
            Thread removal = daemon(() -> {
                try {
                    assertTrue(runInHostCode.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                removalStarted.countDown();
                module.getMember("jumps").removeArrayElement(0);
                removalReturned.set(true);
            }, failures);
            run.join(TimeUnit.SECONDS.toMillis(30));
            removal.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(run.isAlive() || removal.isAlive(), "the run or the removal never finished (deadlock)");
            assertEquals(null, failures.get());
            assertEquals(42, result.get(), "the run's host code refilled the slot before its tail call");
            assertFalse(removalDoneInsideRun.get(), "the removal waited for the run that might have been past the bypass");
            // The refill came after the removal: the slot holds the target, and every site jumps to it.
            assertEquals(42, module.getMember("caller").execute(PACKET).asLong());
        }
    }
}
