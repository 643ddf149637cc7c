package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A host stops a run that would go on for days: {@code Context.close(true)}, {@code Context.interrupt} and a
 * watchdog that interrupts after a time limit end it soon after they are called, on the native engine (which
 * polls a per-context, per-thread flag at function entries and loop heads) as on the interpreter (Truffle's
 * safepoints). The budget is 10^15 instructions, which neither engine gets through in less than days; should
 * an engine stop polling, the timeout fails the test instead of letting it run for days. The test body runs on a
 * thread of its own because native code that never polls cannot be interrupted: on the test's thread the timeout
 * would wait for it for ever.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CancellationTest {
    private static final String HUGE_BUDGET = "1000000000000000";
    /** Loops for ever: only the budget (here: days) or the host ends it. */
    private static final String SPIN = """
                    .program spin raw
                    mov %r0, 0
                    loop:
                    add %r0, 1
                    ja loop
                    """;
    /** Loops for ever on one jump to itself: the shortest loop, whose head is the jump. */
    private static final String SPIN_ON_ONE_JUMP = """
                    .program spin raw
                    mov %r0, 0
                    self:
                    ja self
                    """;
    /** Loops for ever through a subprogram and a helper: the loop head and the subprogram's entry both poll. */
    private static final String SPIN_WITH_CALLS = """
                    .program spin raw
                    mov %r6, 0
                    loop:
                    call local step
                    add %r6, %r0
                    call get_prandom_u32
                    ja loop
                    step:
                    mov %r0, 1
                    exit
                    """;
    /** How long after the host's call the run must have ended: far below the budget's days, with room for a busy machine. */
    private static final long STOPPED_WITHIN_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** The host waits this long so that the run is under way (and compiled, for the interpreter) when it acts. */
    private static final long RUNNING_FOR_MILLIS = 300;

    private static Context context(String engine) {
        return BpfRunner.contextBuilder().option("bpf.Engine", engine).option("bpf.InstructionLimit", HUGE_BUDGET).build();
    }

    /** Runs the program's endless loop on this thread while {@code hostAction} runs on another; returns the exception and the delay. */
    private static Stopped runUntilStopped(Value program, HostAction hostAction) throws InterruptedException {
        AtomicLong actedAt = new AtomicLong();
        Thread host = new Thread(() -> {
            try {
                Thread.sleep(RUNNING_FOR_MILLIS);
                actedAt.set(System.nanoTime());
                hostAction.run();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        host.start();
        PolyglotException stopped = assertThrows(PolyglotException.class, () -> program.execute(new byte[0]));
        long endedAt = System.nanoTime();
        host.join();
        return new Stopped(stopped, endedAt - actedAt.get());
    }

    private record Stopped(PolyglotException exception, long nanosAfterHostAction) {
    }

    private interface HostAction {
        void run() throws Exception;
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "interpreter"})
    void closeWithCancelStopsAnEndlessRunAndTheJvmRunsNewContexts(String engine) throws InterruptedException {
        for (String source : new String[] {SPIN, SPIN_ON_ONE_JUMP, SPIN_WITH_CALLS}) {
            Context context = context(engine);
            Value spin = BpfRunner.evalAsm(context, source, "spin.s").getMember("spin");
            Stopped stopped = runUntilStopped(spin, () -> context.close(true));
            assertTrue(stopped.exception().isCancelled(), stopped.exception()::getMessage);
            assertTrue(stopped.nanosAfterHostAction() < STOPPED_WITHIN_NANOS, () -> "ended " + stopped.nanosAfterHostAction() / 1000 + " µs after close(true)");
            try (Context next = context(engine)) {
                assertEquals(1, BpfRunner.evalAsm(next, ".program one raw\nmov %r0, 1\nexit\n", "one.s").getMember("one").execute(new byte[0]).asLong());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "interpreter"})
    void interruptStopsAnEndlessRunAndTheContextRunsOn(String engine) throws InterruptedException {
        try (Context context = context(engine)) {
            Value module = BpfRunner.evalAsm(context, SPIN_WITH_CALLS, "spin.s");
            // interrupt returns only once the run has stopped; a TimeoutException would fail the host action.
            Stopped stopped = runUntilStopped(module.getMember("spin"), () -> context.interrupt(Duration.ofSeconds(30)));
            assertTrue(stopped.exception().isInterrupted(), stopped.exception()::getMessage);
            assertTrue(stopped.nanosAfterHostAction() < STOPPED_WITHIN_NANOS, () -> "ended " + stopped.nanosAfterHostAction() / 1000 + " µs after interrupt");
            Value one = BpfRunner.evalAsm(context, ".program one raw\nmov %r0, 1\nexit\n", "one.s").getMember("one");
            assertEquals(1, one.execute(new byte[0]).asLong());
        }
    }

    /**
     * A batch of short runs (executeRepeated, which on the native engine enters its blocked section once for all
     * its runs) stops at an interrupt, between runs or in one, and the context runs on: 10^12 runs would take
     * days.
     */
    @ParameterizedTest
    @ValueSource(strings = {"native", "interpreter"})
    void interruptStopsALongBatchOfShortRunsAndTheContextRunsOn(String engine) throws InterruptedException {
        try (Context context = context(engine)) {
            Value one = BpfRunner.evalAsm(context, ".program one raw\nmov %r0, 1\nexit\n", "one.s").getMember("one");
            AtomicLong actedAt = new AtomicLong();
            Thread host = new Thread(() -> {
                try {
                    Thread.sleep(RUNNING_FOR_MILLIS);
                    actedAt.set(System.nanoTime());
                    context.interrupt(Duration.ofSeconds(30));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            host.start();
            PolyglotException stopped = assertThrows(PolyglotException.class, () -> one.invokeMember("executeRepeated", new byte[0], 1_000_000_000_000L));
            long endedAt = System.nanoTime();
            host.join();
            assertTrue(stopped.isInterrupted(), stopped::getMessage);
            assertTrue(endedAt - actedAt.get() < STOPPED_WITHIN_NANOS, () -> "ended " + (endedAt - actedAt.get()) / 1000 + " µs after interrupt");
            assertEquals(1, one.invokeMember("executeRepeated", new byte[0], 3).asLong());
        }
    }

    /**
     * A host time limit as an embedder sets one: a watchdog interrupts the context after a second. (Truffle's
     * {@code ResourceLimits.statementLimit} counts statement nodes, which eBPF programs do not have.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"native", "interpreter"})
    void aWatchdogTimeLimitEndsTheRunSoonAfterTheLimit(String engine) {
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        try (Context context = context(engine)) {
            Value spin = BpfRunner.evalAsm(context, SPIN, "spin.s").getMember("spin");
            long limitNanos = TimeUnit.SECONDS.toNanos(1);
            long start = System.nanoTime();
            watchdog.schedule(() -> {
                try {
                    context.interrupt(Duration.ofSeconds(30));
                } catch (TimeoutException e) {
                    throw new AssertionError(e);
                }
            }, limitNanos, TimeUnit.NANOSECONDS);
            PolyglotException stopped = assertThrows(PolyglotException.class, () -> spin.execute(new byte[0]));
            long ran = System.nanoTime() - start;
            assertTrue(stopped.isInterrupted(), stopped::getMessage);
            assertTrue(ran >= limitNanos && ran < limitNanos + STOPPED_WITHIN_NANOS, () -> "ran " + ran / 1_000_000 + " ms under a 1 s limit");
        } finally {
            watchdog.shutdownNow();
        }
    }
}
