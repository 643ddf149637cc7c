package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/**
 * Several threads run programs of one context at once while the host changes their maps: every run gives
 * an allowed result, counters updated atomically by programs add up, and nothing fails.
 */
class ConcurrencyTest {
    private static final String SOURCE = """
                    .map jmp prog_array key=4 value=4 entries=1
                    .map hits array key=4 value=8 entries=1
                    .program one socket
                    mov %r0, 1
                    exit
                    .program two socket
                    mov %r0, 2
                    exit
                    .program entry socket
                    lddw %r2, map_value:hits+0
                    mov %r3, 1
                    lock add [%r2+0], %r3
                    lddw %r2, map:jmp
                    mov %r3, 0
                    call tail_call
                    mov %r0, 0
                    exit
                    """;

    @Test
    void runsSeeSlotChangesAtomicallyAndCountersAddUp() throws Exception {
        try (Context context = BpfRunner.contextBuilder().build()) {
            Value module = BpfRunner.evalAsm(context, SOURCE, "concurrent.s");
            Value entry = module.getMember("entry");
            Value table = module.getMember("jmp");
            Value one = module.getMember("one");
            Value two = module.getMember("two");
            int threads = 3;
            int runs = 3000;
            Set<Long> seen = ConcurrentHashMap.newKeySet();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            AtomicBoolean done = new AtomicBoolean();
            Thread updater = new Thread(() -> {
                int step = 0;
                while (!done.get()) {
                    switch (step++ % 3) {
                        case 0 -> table.setArrayElement(0, one);
                        case 1 -> table.setArrayElement(0, two);
                        default -> table.removeArrayElement(0);
                    }
                }
            });
            updater.start();
            List<Thread> runners = new ArrayList<>();
            byte[] packet = new byte[54];
            for (int t = 0; t < threads; t++) {
                Thread runner = new Thread(() -> {
                    try {
                        for (int i = 0; i < runs; i++) {
                            seen.add(entry.execute(packet).asLong());
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                runners.add(runner);
                runner.start();
            }
            for (Thread runner : runners) {
                runner.join();
            }
            done.set(true);
            updater.join();
            assertTrue(failures.isEmpty(), () -> "a run failed: " + failures.get(0));
            assertTrue(Set.of(0L, 1L, 2L).containsAll(seen), "results " + seen);
            assertEquals((long) threads * runs, module.getMember("hits").getArrayElement(0).asLong(), "lock add lost no update");
        }
    }
}
