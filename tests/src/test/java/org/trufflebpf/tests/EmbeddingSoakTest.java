package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.JMException;
import javax.management.ObjectName;

import com.sun.management.HotSpotDiagnosticMXBean;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A host that embeds the engine for days: several threads, each creating and closing contexts on both engines
 * (verified and not), loading modules with every kind of map, running them (helpers, ring buffers, direct tail
 * calls whose slot is filled and emptied), loads the verifier rejects, runs the budget stops, interpreted runs
 * cancelled by {@code close(true)}; one context all threads share; and per thread one long-lived context that
 * evaluates a new module on every round and drops it. After a warm-up, the process's memory mappings, file
 * descriptors and resident memory must stay flat. The test runs {@code bpf.soak.seconds} seconds (default 20;
 * the figures are printed).
 */
class EmbeddingSoakTest {
    private static final int SECONDS = Integer.getInteger("bpf.soak.seconds", 20);
    private static final int THREADS = 3;
    private static final byte[] PACKET = new byte[64];

    /** Every kind of map, helpers on each, and a direct tail call; {@code ROUND} makes each source distinct. */
    private static final String MODULE = """
                    .map counts array key=4 value=8 entries=4
                    .map table hash key=4 value=8 entries=64
                    .map jumps prog_array key=4 value=4 entries=2
                    .map events ringbuf key=0 value=0 entries=4096
                    .program count xdp
                        mov %r6, %r1
                        stw [%r10-4], 0
                        lddw %r1, map:counts
                        mov %r2, %r10
                        add %r2, -4
                        call map_lookup_elem
                        jeq %r0, 0, out
                        ldxdw %r1, [%r0+0]
                        add %r1, 1
                        stxdw [%r0+0], %r1
                        lddw %r1, ROUND
                        stxdw [%r10-16], %r1
                        lddw %r1, map:table
                        mov %r2, %r10
                        add %r2, -4
                        mov %r3, %r10
                        add %r3, -16
                        mov %r4, 0
                        call map_update_elem
                        lddw %r1, map:events
                        mov %r2, %r10
                        add %r2, -16
                        mov %r3, 8
                        mov %r4, 0
                        call ringbuf_output
                        mov %r1, %r6
                        lddw %r2, map:jumps
                        mov %r3, 0
                        call tail_call
                    out:
                        mov %r0, 2
                        exit
                    .program target xdp
                        mov %r0, 3
                        exit
                    """;

    /** An endless loop: only unverified contexts load it; the budget or a cancel ends it. */
    private static final String SPIN = """
                    .program spin raw
                        mov %r0, 0
                    loop:
                        add %r0, 1
                        ja loop
                    """;

    /** Says it started, then loops until the budget or a cancel ends it (unverified). */
    private static final String STARTED_THEN_SPIN = """
                    .map started array key=4 value=8 entries=1
                    .program spin raw
                        lddw %r1, map_value:started+0
                        stdw [%r1+0], 1
                        mov %r0, 0
                    loop:
                        add %r0, 1
                        ja loop
                    """;

    /**
     * Maps and a program that compiles, then one the verifier refuses (it reads below the 512-byte frame): the
     * module loads without it, and running it gives the verifier's reason.
     */
    private static final String REJECTED_BY_VERIFIER = """
                    .map big array key=4 value=4096 entries=64
                    .program fine raw
                        mov %r0, 1
                        exit
                    .program refused raw
                        ldxdw %r0, [%r10-520]
                        exit
                    """;

    /** Refused even unverified: a call to a helper that does not exist. */
    private static final String REJECTED_ALWAYS = """
                    .map big array key=4 value=4096 entries=64
                    .program fine raw
                        mov %r0, 1
                        exit
                    .program refused raw
                        call 9999
                        exit
                    """;

    private static final Path SMAPS = Path.of("/proc/self/smaps");
    private static final Path FDS = Path.of("/proc/self/fd");
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Pattern HEX_ADDRESS = Pattern.compile("0x([0-9a-f]+)");

    /**
     * The address range the JVM reserved for the Java heap, from the {@code GC.heap_info} diagnostic command (its
     * lowest and highest address). Resident memory is counted per mapping against it: the JVM commits and
     * uncommits heap memory as it likes, and uncommits concurrently after a collection, so "resident minus
     * committed" moves by gigabytes without any leak.
     */
    private static long[] heapRange() {
        try {
            Object info = ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcHeapInfo",
                            new Object[] {null}, new String[] {String[].class.getName()});
            long low = Long.MAX_VALUE;
            long high = 0;
            Matcher address = HEX_ADDRESS.matcher(info.toString());
            while (address.find()) {
                long value = Long.parseUnsignedLong(address.group(1), 16);
                low = Math.min(low, value);
                high = Math.max(high, value);
            }
            assertTrue(low < high, "the JVM names its heap's range: " + info);
            return new long[] {low, high};
        } catch (JMException e) {
            throw new AssertionError("GC.heap_info is not available", e);
        }
    }

    /**
     * What the process holds at one moment: mappings, descriptors, resident memory, and of it the part outside
     * the Java heap (native memory of maps, code, stacks, the JVM's own); and the heap that live objects use.
     */
    private record Usage(long mappings, long fds, long rssKb, long outsideHeapKb, long heapUsedKb) {
        static Usage now() throws IOException {
            long[] heap = heapRange();
            long mappings = 0;
            long outside = 0;
            boolean inHeap = false;
            for (String line : Files.readAllLines(SMAPS)) {
                int space = line.indexOf(' ');
                int dash = line.indexOf('-');
                // A mapping's header ("from-to perms offset dev inode path") or one of its fields ("Rss:  12 kB").
                if (space > 0 && dash > 0 && dash < space && line.charAt(space - 1) != ':') {
                    mappings++;
                    long from = Long.parseUnsignedLong(line.substring(0, dash), 16);
                    long to = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                    inHeap = from >= heap[0] && to <= heap[1];
                } else if (line.startsWith("Rss:") && !inHeap) {
                    outside += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            long fds;
            try (var entries = Files.list(FDS)) {
                fds = entries.count();
            }
            long rss = 0;
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return new Usage(mappings, fds, rss, outside, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024);
        }

        /**
         * After full collections, so that what is garbage (and what only a Cleaner frees) is gone, with the heap
         * shrunk to what is live: the collector's own tables (G1's mark bitmap is 1/64 of the committed heap)
         * live outside the heap and grow with it, 90 MiB for a heap the JVM let grow to 6 GiB. The free-ratio
         * flags are manageable, so the heap shrinks for the measurement only.
         */
        static Usage settled() throws IOException, InterruptedException {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            String minFree = vm.getVMOption("MinHeapFreeRatio").getValue();
            String maxFree = vm.getVMOption("MaxHeapFreeRatio").getValue();
            vm.setVMOption("MinHeapFreeRatio", "0");
            vm.setVMOption("MaxHeapFreeRatio", "10");
            try {
                for (int i = 0; i < 3; i++) {
                    System.gc();
                    Thread.sleep(200);
                }
                // G1 gives the freed regions (and their tables) back to the system on a thread of its own.
                Thread.sleep(2000);
                return now();
            } finally {
                vm.setVMOption("MaxHeapFreeRatio", maxFree);
                vm.setVMOption("MinHeapFreeRatio", minFree);
            }
        }

        @Override
        public String toString() {
            return mappings + " mappings, " + fds + " fds, " + rssKb / 1024 + " MiB resident (" + outsideHeapKb / 1024 + " MiB outside the Java heap; "
                            + heapUsedKb / 1024 + " MiB live heap)";
        }
    }

    /**
     * One polyglot engine for every context, as GraalVM advises for hosts with many contexts. (With an engine per
     * context, a soak of this kind keeps thousands of closed engines alive: each leaves a compilation task in
     * Truffle's background queue, which on a busy machine grows faster than it drains.)
     */
    private static final Engine ENGINE = Engine.newBuilder().allowExperimentalOptions(true).option("engine.WarnInterpreterOnly", "false").build();

    private static Context.Builder builder(String engine, boolean verify, long limit) {
        return BpfRunner.contextBuilder().engine(ENGINE).option("bpf.Engine", engine).option("bpf.Verify", Boolean.toString(verify))
                        .option("bpf.InstructionLimit", Long.toString(limit)).out(OutputStream.nullOutputStream());
    }

    private static String module(long round) {
        return MODULE.replace("ROUND", Long.toString(round));
    }

    /** Loads a module, runs it with its tail-call slot empty, filled and emptied again, and reads its maps. */
    private static void exercise(Value module) {
        Value count = module.getMember("count");
        assertEquals(2, count.execute(PACKET).asLong());
        module.getMember("jumps").setArrayElement(0, module.getMember("target"));
        assertEquals(3, count.execute(PACKET).asLong());
        module.getMember("jumps").removeArrayElement(0);
        assertEquals(2, count.execute(PACKET).asLong());
        assertTrue(module.getMember("counts").getArrayElement(0).asLong() >= 3);
        assertEquals(3, module.getMember("events").invokeMember("consume").getArraySize());
    }

    /** One round of a worker: a fresh context of each flavour in turn, and the shared and long-lived ones. */
    private static void round(long round, Context longLived, Value shared, AtomicLong rejected, AtomicLong budgetStops, AtomicLong cancels) throws Exception {
        String engine = round % 2 == 0 ? "native" : "interpreter";
        boolean verify = round / 2 % 2 == 0;
        try (Context context = builder(engine, verify, 1_000_000).build()) {
            exercise(BpfRunner.evalAsm(context, module(round), "soak.s"));
            if (verify) {
                Value partly = BpfRunner.evalAsm(context, REJECTED_BY_VERIFIER, "rejected.s");
                assertEquals(1, partly.getMember("fine").execute().asLong());
                PolyglotException refused = assertThrows(PolyglotException.class, () -> partly.getMember("refused").execute());
                assertTrue(refused.isGuestException() && refused.getMessage().contains("stack access out of bounds"), refused.getMessage());
            } else {
                PolyglotException refused = assertThrows(PolyglotException.class, () -> BpfRunner.evalAsm(context, REJECTED_ALWAYS, "rejected.s"));
                assertTrue(refused.isSyntaxError() || refused.isGuestException(), refused.getMessage());
            }
            rejected.incrementAndGet();
            if (!verify) {
                Value spin = BpfRunner.evalAsm(context, SPIN, "spin.s").getMember("spin");
                PolyglotException stopped = assertThrows(PolyglotException.class, spin::execute);
                assertTrue(stopped.getMessage().contains("execution budget"), stopped.getMessage());
                budgetStops.incrementAndGet();
            }
        }
        if (round % 8 == 1) {
            cancelAnInterpretedRun();
            cancels.incrementAndGet();
        }
        assertEquals(2, shared.getMember("count").execute(PACKET).asLong());
        // A new module on every round in a context that stays open; the host drops it at once. (Its source is not
        // cached: Truffle keeps a cached source's module while the cache entry lives, up to 100 per context.)
        Value module = BpfRunner.evalAsmUncached(longLived, module(round), "long_lived.s");
        assertEquals(2, module.getMember("count").execute(PACKET).asLong());
    }

    /** An endless interpreted run, stopped by closing its context with cancellation from this thread. */
    private static void cancelAnInterpretedRun() throws InterruptedException {
        Context context = builder("interpreter", false, Long.MAX_VALUE).build();
        Value module = BpfRunner.evalAsm(context, STARTED_THEN_SPIN, "spin.s");
        Value spin = module.getMember("spin");
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread run = new Thread(() -> {
            try {
                spin.execute();
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        run.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (module.getMember("started").getArrayElement(0).asLong() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        context.close(true);
        run.join(TimeUnit.SECONDS.toMillis(30));
        assertTrue(!run.isAlive() && outcome.get() instanceof PolyglotException e && e.isCancelled(), "the run was cancelled: " + outcome.get());
    }

    @Test
    void mappingsDescriptorsAndResidentMemoryStayFlatUnderALongRunningHost() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(SMAPS) && Files.isDirectory(FDS) && Files.isReadable(STATUS), "needs Linux /proc/self");
        long warmUpMillis = Math.max(5_000, SECONDS * 1000L / 4);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        AtomicLong rounds = new AtomicLong();
        AtomicLong rejected = new AtomicLong();
        AtomicLong budgetStops = new AtomicLong();
        AtomicLong cancels = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Context> longLived = new ArrayList<>();
        try (Context sharedContext = builder("native", true, 1_000_000).build()) {
            Value shared = BpfRunner.evalAsm(sharedContext, module(-1), "shared.s");
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Context own = builder(t % 2 == 0 ? "native" : "interpreter", true, 1_000_000).build();
                longLived.add(own);
                int worker = t;
                Thread thread = new Thread(() -> {
                    try {
                        for (long round = worker; System.nanoTime() < end && failure.get() == null; round += THREADS) {
                            round(round, own, shared, rejected, budgetStops, cancels);
                            rounds.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                thread.start();
                workers.add(thread);
            }
            Thread.sleep(warmUpMillis);
            Usage warm = Usage.settled();
            long warmRounds = rounds.get();
            System.out.println("soak: after warm-up (" + warmUpMillis / 1000 + " s, " + warmRounds + " rounds): " + warm);
            long lastReport = System.nanoTime();
            while (workers.stream().anyMatch(Thread::isAlive)) {
                Thread.sleep(1000);
                if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(Math.max(10, SECONDS / 20))) {
                    System.out.println("soak: " + rounds.get() + " rounds: " + Usage.now());
                    lastReport = System.nanoTime();
                }
            }
            if (failure.get() != null) {
                throw new AssertionError("a worker failed", failure.get());
            }
            Usage last = Usage.settled();

            long total = rounds.get();
            System.out.println("soak: after " + SECONDS + " s, " + total + " rounds (" + (total - warmRounds) + " after warm-up; " + total
                            + " contexts, " + 2 * total + " modules, " + rejected.get() + " rejected loads, " + budgetStops.get() + " budget stops, "
                            + cancels.get() + " cancelled runs, " + THREADS + " long-lived contexts of " + total / THREADS + " modules each): " + last);
            assertTrue(total - warmRounds >= 10, "the soak ran (" + (total - warmRounds) + " rounds after warm-up)");
            assertTrue(last.mappings() - warm.mappings() < 100, "mappings grew from " + warm + " to " + last);
            assertTrue(last.fds() - warm.fds() < 16, "descriptors grew from " + warm + " to " + last);
            assertTrue(last.outsideHeapKb() - warm.outsideHeapKb() < 128 * 1024, "resident memory outside the heap grew from " + warm + " to " + last);
            assertTrue(last.heapUsedKb() - warm.heapUsedKb() < 128 * 1024, "live heap grew from " + warm + " to " + last);
        } finally {
            for (Context context : longLived) {
                context.close();
            }
        }
    }
}
