package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.function.IntFunction;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every atomic is atomic on both engines when threads race on one map value. Fetching or, and and xor: each thread sets,
 * clears and toggles a bit of its own in a shared word and checks the old value every operation returns, so an
 * update another thread's operation overwrote (an x86 cmpxchg loop without its lock prefix, or without its retry)
 * shows as a wrong old value or a bit left set. The native engine has no x86 instruction for these and lowers
 * them to a compare-exchange loop (ArithmeticEmitter.fetchLoop), which single-threaded runs cannot tell from a
 * plain read-modify-write. Add, fetch add and a compare-exchange increment: threads count in one word and no increment
 * may be lost; or, and and xor without fetch: each thread sets and clears its own bit of another word, which must end
 * at zero (a plain x86 read-modify-write, without its lock prefix, loses another thread's update).
 */
class AtomicFetchRaceTest {
    private static final int THREADS = 2;
    private static final long ROUNDS = 3_000_000;

    /** r0: how many old values were not what this thread's own operations left, given its bit and rounds as input. */
    private static String program(String width) {
        return """
                        .map shared array key=4 value=8 entries=1
                        .program toggles
                            ldxdw %r7, [%r1+0]
                            ldxdw %r8, [%r1+8]
                            mov %r4, %r7
                            xor %r4, -1
                            lddw %r6, map_value:shared+0
                            mov %r9, 0
                        loop:
                            jeq %r8, 0, done
                            mov %r2, %r7
                            lock fetch orW [%r6+0], %r2
                            and %r2, %r7
                            jeq %r2, 0, set
                            add %r9, 1
                        set:
                            mov %r2, %r4
                            lock fetch andW [%r6+0], %r2
                            and %r2, %r7
                            jne %r2, 0, cleared
                            add %r9, 1
                        cleared:
                            mov %r2, %r7
                            lock fetch xorW [%r6+0], %r2
                            and %r2, %r7
                            jeq %r2, 0, toggled
                            add %r9, 1
                        toggled:
                            mov %r2, %r7
                            lock fetch xorW [%r6+0], %r2
                            and %r2, %r7
                            jne %r2, 0, back
                            add %r9, 1
                        back:
                            sub %r8, 1
                            ja loop
                        done:
                            mov %r0, %r9
                            exit
                        """.replace("W [", width + " [");
    }

    /** Three increments a round (add, fetch add, cmpxchg) of word 0 and its bit set and cleared twice in word 1. */
    private static String counting(String width) {
        String load = width.isEmpty() ? "ldxdw" : "ldxw";
        String jump = width.isEmpty() ? "jne" : "jne32";
        return """
                        .map shared array key=4 value=16 entries=1
                        .program counts
                            ldxdw %r7, [%r1+0]
                            ldxdw %r8, [%r1+8]
                            mov %r9, %r7
                            xor %r9, -1
                            lddw %r6, map_value:shared+0
                        loop:
                            jeq %r8, 0, done
                            mov %r2, 1
                            lock addW [%r6+0], %r2
                            lock fetch addW [%r6+0], %r2
                        retry:
                            LOAD %r0, [%r6+0]
                            mov %r3, %r0
                            mov %r2, %r0
                            add %r2, 1
                            lock cmpxchgW [%r6+0], %r2
                            JUMP %r0, %r3, retry
                            lock orW [%r6+8], %r7
                            lock andW [%r6+8], %r9
                            lock orW [%r6+8], %r7
                            lock xorW [%r6+8], %r7
                            sub %r8, 1
                            ja loop
                        done:
                            mov %r0, 0
                            exit
                        """.replace("W [", width + " [").replace("LOAD", load).replace("JUMP", jump);
    }

    private static final long COUNTING_ROUNDS = 1_000_000;

    @ParameterizedTest
    @ValueSource(strings = {"interpreter/", "interpreter/32", "native/", "native/32"})
    void threadsCountingInOneWordAndSettingTheirOwnBitsNeverLoseAnUpdate(String engineAndWidth) throws Exception {
        String engine = engineAndWidth.substring(0, engineAndWidth.indexOf('/'));
        String width = engineAndWidth.substring(engineAndWidth.indexOf('/') + 1);
        try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).option("bpf.Context", "raw").build()) {
            Value module = BpfRunner.evalAsm(context, counting(width), "count" + width + ".s");
            Value program = module.getMember("counts");
            race(program, t -> input(bit(width, t), COUNTING_ROUNDS));
            Value shared = module.getMember("shared").getArrayElement(0);
            byte[] bytes = new byte[(int) shared.getBufferSize()];
            shared.readBuffer(0, bytes, 0, bytes.length);
            ByteBuffer value = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(3 * THREADS * COUNTING_ROUNDS, value.getLong(0), "increments lost");
            assertEquals(0, value.getLong(8), "bits left set: an or, and or xor lost another thread's update");
        }
    }

    /** Thread t's bit: in both halves of the word for 64-bit operations, in the low half for 32-bit ones. */
    private static int bit(String width, int t) {
        return width.isEmpty() ? 31 * t + 1 : 7 * t + 3;
    }

    /** A thread's bit and its rounds, as the programs read them. */
    private static byte[] input(int bit, long rounds) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << bit).putLong(rounds).array();
    }

    /** Runs {@code program} on {@link #THREADS} threads at once, thread t over {@code inputs.apply(t)}; their r0s. */
    private static List<Long> race(Value program, IntFunction<byte[]> inputs) throws InterruptedException {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Long> results = new CopyOnWriteArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            byte[] input = inputs.apply(t);
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    results.add(program.execute(input).asLong());
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(List.of(), failures);
        return results;
    }

    @ParameterizedTest
    @ValueSource(strings = {"interpreter/", "interpreter/32", "native/", "native/32"})
    void threadsTogglingTheirOwnBitsOfOneWordNeverLoseAnUpdate(String engineAndWidth) throws Exception {
        String engine = engineAndWidth.substring(0, engineAndWidth.indexOf('/'));
        String width = engineAndWidth.substring(engineAndWidth.indexOf('/') + 1);
        try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).option("bpf.Context", "raw").build()) {
            Value module = BpfRunner.evalAsm(context, program(width), "race" + width + ".s");
            Value program = module.getMember("toggles");
            List<Long> mismatches = race(program, t -> input(bit(width, t), ROUNDS));
            assertEquals(List.of(0L, 0L), mismatches, "old values that another thread's operation had overwritten");
            // An 8-byte value reads as a number.
            assertEquals(0, module.getMember("shared").getArrayElement(0).asLong(), "every bit set was cleared again");
        }
    }
}
