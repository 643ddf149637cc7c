package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The per-run fast paths stay safe: native code's inline check of the input region (one compare, no stub call)
 * refuses exactly what the interpreter refuses, with the same message; the run block reused run after run
 * follows each run's own input; concurrent runs on several threads each see their own input; the batch forms
 * give what single runs give. Programs run unverified, so every access is checked at run time.
 */
class PerRunFastPathsTest {
    private static Context interpreter;
    private static Context nativeEngine;

    @BeforeAll
    static void setUp() {
        interpreter = BpfRunner.contextBuilder().option("bpf.Engine", "interpreter").option("bpf.Verify", "false").build();
        nativeEngine = BpfRunner.contextBuilder().option("bpf.Engine", "native").option("bpf.Verify", "false").build();
    }

    @AfterAll
    static void tearDown() {
        interpreter.close();
        nativeEngine.close();
    }

    private static Value program(Context context, String asm) {
        return BpfRunner.evalAsm(context, asm, "fast.s").getMember("fast");
    }

    private static long run(String asm, Object input) {
        long interpreted = program(interpreter, asm).execute(input).asLong();
        assertEquals(interpreted, program(nativeEngine, asm).execute(input).asLong(), "native engine differs from the interpreter");
        return interpreted;
    }

    /** The error on each engine (addresses masked); both must agree. */
    private static String failure(String asm, Object input) {
        String interpreted = assertThrows(PolyglotException.class, () -> program(interpreter, asm).execute(input)).getMessage();
        String nativeMessage = assertThrows(PolyglotException.class, () -> program(nativeEngine, asm).execute(input)).getMessage();
        interpreted = interpreted.replaceAll("0x[0-9a-f]{6,}", "ADDR");
        assertEquals(interpreted, nativeMessage.replaceAll("0x[0-9a-f]{6,}", "ADDR"), "native engine differs from the interpreter");
        return interpreted;
    }

    private static byte[] counting(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i + 1);
        }
        return bytes;
    }

    @Test
    void accessesInsideTheInputPassTheInlineCheckAndReadTheInput() {
        assertEquals(0x100f0e0d0c0b0a09L, run("ldxdw %r0, [%r1+8]\nexit\n", counting(16)));
        assertEquals(16, run("ldxb %r0, [%r1+15]\nexit\n", counting(16)));
        assertEquals(0x2a, run("stb [%r1+15], 42\nldxb %r0, [%r1+15]\nexit\n", counting(16)));
    }

    @Test
    void accessesJustOutsideTheInputStopAlikeNamingTheRegion() {
        assertTrue(failure("ldxdw %r0, [%r1+12]\nexit\n", counting(16)).endsWith("read of 8 bytes at memory+12 is out of bounds: memory is 16 bytes"));
        assertTrue(failure("ldxb %r0, [%r1+16]\nexit\n", counting(16)).endsWith("read of 1 bytes at memory+16 is out of bounds: memory is 16 bytes"));
        assertTrue(failure("ldxb %r0, [%r1-1]\nexit\n", counting(16)).endsWith("read of 1 bytes at memory-1 is out of bounds: memory is 16 bytes"));
        assertTrue(failure("stw [%r1+13], 1\nmov %r0, 0\nexit\n", counting(16)).endsWith("write of 4 bytes at memory+13 is out of bounds: memory is 16 bytes"));
        assertTrue(failure("ldxh %r0, [%r1+0]\nexit\n", counting(1)).endsWith("read of 2 bytes at memory+0 is out of bounds: memory is 1 bytes"));
    }

    @Test
    void anAddressThatWrapsAroundIsRefused() {
        // r1 - 4 read as 8 bytes would end past address 0 if the end were computed without the offset compare.
        String message = failure("mov %r1, -4\nldxdw %r0, [%r1+0]\nexit\n", counting(16));
        assertTrue(message.endsWith("read of 8 bytes at ADDR: not memory the program may access"), message);
    }

    @Test
    void aDirectBufferSmallerThanTheAccessStopsTheRun() {
        ByteBuffer small = ByteBuffer.allocateDirect(4);
        assertTrue(failure("ldxdw %r0, [%r1+0]\nexit\n", small).endsWith("read of 8 bytes at memory+0 is out of bounds: memory is 4 bytes"));
        assertEquals(0, run("ldxw %r0, [%r1+0]\nexit\n", small));
    }

    @Test
    void aRunAfterOneWithALargerInputSeesOnlyItsOwnInput() {
        // The run block is reused: its inline region must be the second run's input, not the first's.
        String asm = "ldxb %r0, [%r1+32]\nexit\n";
        for (Context context : List.of(interpreter, nativeEngine)) {
            Value program = program(context, asm);
            assertEquals(33, program.execute(counting(64)).asLong());
            PolyglotException e = assertThrows(PolyglotException.class, () -> program.execute(counting(16)));
            assertTrue(e.getMessage().endsWith("read of 1 bytes at memory+32 is out of bounds: memory is 16 bytes"), e.getMessage());
            assertEquals(33, program.execute(counting(40)).asLong());
        }
    }

    @Test
    void concurrentRunsOnSeveralThreadsEachSeeTheirOwnInput() throws Exception {
        // r0 = the input's first 8 bytes + its length: each thread's input differs in both.
        String asm = "ldxdw %r0, [%r1+0]\nadd %r0, %r2\nexit\n";
        for (Context context : List.of(interpreter, nativeEngine)) {
            Value program = program(context, asm);
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                Thread thread = new Thread(() -> {
                    try {
                        ByteBuffer direct = ByteBuffer.allocateDirect(8 + id).order(ByteOrder.LITTLE_ENDIAN);
                        direct.putLong(0, 1000L * id);
                        byte[] bytes = new byte[16 + id];
                        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 7000L * id);
                        for (int i = 0; i < 2000; i++) {
                            assertEquals(1000L * id + 8 + id, program.execute(direct).asLong());
                            assertEquals(7000L * id + 16 + id, program.execute(bytes).asLong());
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertEquals(List.of(), failures);
        }
    }

    @Test
    void aBatchGivesWhatSingleRunsGive() {
        String asm = "ldxb %r0, [%r1+0]\nmul %r0, 3\nadd %r0, %r2\nexit\n";
        byte[][] inputs = {{1}, {2, 0}, {5, 0, 0}, {9, 9, 9, 9}};
        for (Context context : List.of(interpreter, nativeEngine)) {
            Value program = program(context, asm);
            Value results = program.invokeMember("executeBatch", (Object) inputs);
            assertEquals(inputs.length, results.getArraySize());
            for (int i = 0; i < inputs.length; i++) {
                assertEquals(program.execute(inputs[i]).asLong(), results.getArrayElement(i).asLong());
            }
        }
    }

    @Test
    void aBatchStopsAtItsFirstFailingRunWithThatRunsError() {
        Value program = program(nativeEngine, "ldxb %r0, [%r1+1]\nexit\n");
        PolyglotException e = assertThrows(PolyglotException.class, () -> program.invokeMember("executeBatch", (Object) new byte[][] {{1, 2}, {3}}));
        assertTrue(e.getMessage().endsWith("read of 1 bytes at memory+1 is out of bounds: memory is 1 bytes"), e.getMessage());
    }

    @Test
    void repeatedRunsEachStartFromTheInputAsGiven() {
        // Each run adds one to byte 0 and returns it: a run that saw the previous run's write would count up.
        String asm = "ldxb %r0, [%r1+0]\nadd %r0, 1\nstxb [%r1+0], %r0\nexit\n";
        for (Context context : List.of(interpreter, nativeEngine)) {
            Value program = program(context, asm);
            assertEquals(8, program.invokeMember("executeRepeated", new byte[] {7}, 1000).asLong());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> program(nativeEngine, asm).invokeMember("executeRepeated", new byte[] {7}, 0));
        assertTrue(e.getMessage().contains("the repeat count must be at least 1, not 0"), e.getMessage());
    }
}
