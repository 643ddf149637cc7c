package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/**
 * Several contexts at once, each with threads that fill and empty the slots of two prog arrays (in opposite
 * orders, so each array's patch lock is taken while the other's removal may be due) while other threads run
 * programs that tail call through both: no thread ever waits for another for good, every run ends in one of the
 * outcomes the slots allow, and each context's slots and sites agree at the end. Native contexts patch direct
 * tail calls and wait out grace periods; an interpreter context runs beside them.
 */
class ConcurrentSlotUpdatesTest {
    /**
     * Tail calls through slot 0 then 1 of {@code first}, then of {@code second} (constant keys: direct sites);
     * 1 when all four are empty.
     */
    private static final String MODULE = """
                    .map first prog_array key=4 value=4 entries=2
                    .map second prog_array key=4 value=4 entries=2
                    .program caller socket
                        mov %r6, %r1
                        lddw %r2, map:first
                        mov %r3, 0
                        call tail_call
                        mov %r1, %r6
                        lddw %r2, map:first
                        mov %r3, 1
                        call tail_call
                        mov %r1, %r6
                        lddw %r2, map:second
                        mov %r3, 0
                        call tail_call
                        mov %r1, %r6
                        lddw %r2, map:second
                        mov %r3, 1
                        call tail_call
                        mov %r0, 1
                        exit
                    .program returns_42 socket
                        mov %r0, 42
                        exit
                    .program returns_24 socket
                        mov %r0, 24
                        exit
                    """;

    private static final byte[] PACKET = new byte[64];
    private static final long RUN_MILLIS = 3000;

    private static Thread daemon(Runnable body, AtomicReference<Throwable> failure) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        // A deadlocked thread must not keep the test JVM alive.
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * Fills slot {@code key} of {@code a} then of {@code b}, then empties them in the same order, until told to
     * stop. Each updater has a key of its own, so a slot it empties is always full.
     */
    private static void updateSlots(Value a, Value b, int key, Value target, AtomicBoolean stop, AtomicLong updates) {
        while (!stop.get()) {
            a.setArrayElement(key, target);
            b.setArrayElement(key, target);
            a.removeArrayElement(key);
            b.removeArrayElement(key);
            updates.addAndGet(4);
        }
    }

    @Test
    void contextsUpdatingSlotsOnSeveralThreadsWhileRunsGoOnNeverDeadlockAndEndConsistent() throws Exception {
        List<String> engines = List.of("native", "native", "native", "interpreter");
        List<Context> contexts = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<AtomicLong> runs = new ArrayList<>();
        List<AtomicLong> updates = new ArrayList<>();
        Set<Long> outcomes = ConcurrentHashMap.newKeySet();
        List<Value> modules = new ArrayList<>();
        try {
            for (String engine : engines) {
                Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).build();
                contexts.add(context);
                Value module = BpfRunner.evalAsm(context, MODULE, "slots.s");
                modules.add(module);
                Value first = module.getMember("first");
                Value second = module.getMember("second");
                Value caller = module.getMember("caller");
                AtomicLong contextRuns = new AtomicLong();
                AtomicLong contextUpdates = new AtomicLong();
                runs.add(contextRuns);
                updates.add(contextUpdates);
                threads.add(daemon(() -> updateSlots(first, second, 0, module.getMember("returns_42"), stop, contextUpdates), failure));
                threads.add(daemon(() -> updateSlots(second, first, 1, module.getMember("returns_24"), stop, contextUpdates), failure));
                for (int r = 0; r < 2; r++) {
                    threads.add(daemon(() -> {
                        while (!stop.get()) {
                            outcomes.add(caller.execute(PACKET).asLong());
                            contextRuns.incrementAndGet();
                        }
                    }, failure));
                }
            }
            Thread.sleep(RUN_MILLIS);
            stop.set(true);
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(60));
            }
            for (Thread thread : threads) {
                assertFalse(thread.isAlive(), "a thread still waits a minute after being told to stop: " + thread.getName());
            }
            assertEquals(null, failure.get());
            assertTrue(Set.of(1L, 42L, 24L).containsAll(outcomes), "only outcomes the slots allow: " + outcomes);
            for (int c = 0; c < engines.size(); c++) {
                assertTrue(runs.get(c).get() > 0 && updates.get(c).get() > 0, "context " + c + " ran " + runs.get(c) + " times and changed " + updates.get(c)
                                + " slots");
                // Whatever the last update was, the sites follow the slots from here on.
                Value module = modules.get(c);
                Value first = module.getMember("first");
                Value second = module.getMember("second");
                Value caller = module.getMember("caller");
                for (int key = 0; key < 2; key++) {
                    // The updaters stopped after emptying their slots.
                    assertTrue(first.getArrayElement(key).isNull() && second.getArrayElement(key).isNull(), "slot " + key + " of both arrays is empty");
                }
                assertEquals(1, caller.execute(PACKET).asLong());
                second.setArrayElement(1, module.getMember("returns_24"));
                assertEquals(24, caller.execute(PACKET).asLong());
                first.setArrayElement(1, module.getMember("returns_42"));
                assertEquals(42, caller.execute(PACKET).asLong());
                first.removeArrayElement(1);
                assertEquals(24, caller.execute(PACKET).asLong());
                second.removeArrayElement(1);
                assertEquals(1, caller.execute(PACKET).asLong());
            }
        } finally {
            stop.set(true);
            for (Context context : contexts) {
                context.close(true);
            }
        }
    }
}
