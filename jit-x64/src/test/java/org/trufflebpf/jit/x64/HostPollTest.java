package org.trufflebpf.jit.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.CancelFlag;
import org.trufflebpf.runtime.NativeEngineProvider;
import org.trufflebpf.runtime.RunOptions;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.TailCallAbi;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * Checked native code polls the run's cancel flag at function entries and loop heads: when another thread
 * sets it, the code calls the host's poll and then goes on where it was (the host had nothing to stop it
 * for), or unwinds with the exception the poll threw (close, interrupt).
 */
class HostPollTest {
    private static final long ITERATIONS = 20_000_000;
    /** r0 = ITERATIONS after a loop with a bpf-to-bpf call in its body. */
    private static final String LOOP = """
                    .program loop raw
                    mov %r6, 0
                    again:
                    call local step
                    add %r6, %r0
                    jlt %r6, 20000000, again
                    mov %r0, %r6
                    exit
                    step:
                    mov %r0, 1
                    exit
                    """;

    private static NativeEngineProvider.NativeCode compile() {
        Program program = Assembler.assembleProgram(LOOP, "loop.s");
        return new NativeEngineService().compile(program, MapSet.empty(), TailCallAbi.COUNTER_BY_VALUE);
    }

    private static long run(NativeEngineProvider.NativeCode code, CancelFlag flag, Runnable hostPoll) {
        RunOptions options = new RunOptions(10 * ITERATIONS, TailCallAbi.COUNTER_BY_VALUE, 0, 1, 0);
        try (RunState state = new RunState(options, new PrintStream(PrintStream.nullOutputStream()), MapSet.empty())) {
            state.allowCancellation(flag, hostPoll);
            state.enter();
            try {
                return code.run(state, 0, 0);
            } finally {
                state.leave();
            }
        }
    }

    @Test
    void aRequestThatStopsNothingLetsTheRunGoOnToItsResult() throws InterruptedException {
        try (NativeEngineProvider.NativeCode code = compile()) {
            CancelFlag flag = new CancelFlag();
            AtomicInteger polls = new AtomicInteger();
            AtomicBoolean done = new AtomicBoolean();
            Thread requester = new Thread(() -> {
                while (!done.get()) {
                    flag.request();
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            requester.start();
            long r0;
            try {
                r0 = run(code, flag, polls::incrementAndGet);
            } finally {
                done.set(true);
                requester.join();
            }
            assertEquals(ITERATIONS, r0);
            assertTrue(polls.get() > 0, "the code never polled the host");
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theHostsExceptionEndsTheRunAndTheNextRunIsUnaffected() throws InterruptedException {
        try (NativeEngineProvider.NativeCode code = compile()) {
            CancelFlag flag = new CancelFlag();
            RuntimeException cancel = new RuntimeException("cancelled by the host");
            Thread requester = requestSoon(flag);
            // Long enough that the request comes while it runs: a billion iterations would take seconds.
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> runForever(flag, () -> {
                throw cancel;
            }));
            requester.join();
            assertSame(cancel, thrown);
            assertEquals(ITERATIONS, run(code, flag, () -> {
                throw new AssertionError("nobody asked");
            }));
        }
    }

    /**
     * A state machine that never stops (its exit condition never holds): its switch, reached by a forward jump,
     * branches back to three cases, and every round passes a poll; the host stops it. (Should no poll be on its
     * way round, the run would never end: the timeout fails the test instead.)
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aStateMachineThatNeverEndsIsStoppedByTheHost() throws InterruptedException {
        CancelFlag flag = new CancelFlag();
        RuntimeException cancel = new RuntimeException("cancelled by the host");
        Thread requester = requestSoon(flag);
        String forever = """
                        .program spin raw
                        mov %r0, 0
                        mov %r3, 0
                        ja head
                        a:
                        add %r0, 1
                        b:
                        add %r0, 2
                        c:
                        add %r0, 3
                        add %r3, 1
                        jeq %r3, -1, out
                        head:
                        mov %r2, %r3
                        and %r2, 3
                        jeq %r2, 0, a
                        jeq %r2, 1, b
                        ja c
                        out:
                        exit
                        """;
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> runForever(forever, flag, () -> {
            throw cancel;
        }));
        requester.join();
        assertSame(cancel, thrown);
    }

    /** A thread, started, that sets {@code flag} 20 ms from now: while a run that never ends is under way. */
    private static Thread requestSoon(CancelFlag flag) {
        Thread requester = new Thread(() -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
            flag.request();
        });
        requester.start();
        return requester;
    }

    private static long runForever(CancelFlag flag, Runnable hostPoll) {
        return runForever(".program spin raw\nmov %r0, 0\nloop:\nadd %r0, 1\nja loop\n", flag, hostPoll);
    }

    private static long runForever(String asm, CancelFlag flag, Runnable hostPoll) {
        Program program = Assembler.assembleProgram(asm, "spin.s");
        try (NativeEngineProvider.NativeCode code = new NativeEngineService().compile(program, MapSet.empty(), TailCallAbi.COUNTER_BY_VALUE)) {
            RunOptions options = new RunOptions(Long.MAX_VALUE, TailCallAbi.COUNTER_BY_VALUE, 0, 1, 0);
            try (RunState state = new RunState(options, new PrintStream(PrintStream.nullOutputStream()), MapSet.empty())) {
                state.allowCancellation(flag, hostPoll);
                state.enter();
                try {
                    return code.run(state, 0, 0);
                } finally {
                    state.leave();
                }
            }
        }
    }
}
