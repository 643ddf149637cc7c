package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.AfterAll;
import org.trufflebpf.asm.ConformanceFile;
import org.trufflebpf.conformance.ConformanceSuite;

/**
 * executeRepeated runs its repeats in the first run's set-up, as BPF_PROG_TEST_RUN's repeat does: on the
 * interpreter the state is put back between runs, on the native engine a native loop puts input and context back
 * and calls the code again. Each repeat must still be exactly a fresh run: what one run wrote (input, packet,
 * context fields), spent (budget) or moved (the packet) must not show in the next, and a failing run ends the
 * batch with nothing run after it. Each case runs on both engines and, where it matters, with every repeat set
 * up on its own (bpf.RepeatInOneSetUp=false) as the reference.
 */
class RepeatedRunsTest {
    private static final List<String> ENGINES = List.of("interpreter", "native");

    private static Context context(String engine, String... options) {
        Context.Builder builder = BpfRunner.contextBuilder().option("bpf.Engine", engine);
        for (int i = 0; i < options.length; i += 2) {
            builder.option(options[i], options[i + 1]);
        }
        return builder.build();
    }

    /** r0 of the last of {@code times} repeats, and of one run, which must be the same. */
    private static long repeated(Value program, Object input, long times, String what) {
        long single = program.execute(input).asLong();
        long last = program.invokeMember("executeRepeated", input, times).asLong();
        assertEquals(single, last, what + ": the last repeat differs from a single run");
        return last;
    }

    /** Adds one to the first and the last byte and returns their sum before: a repeat that saw a write counts up. */
    static final String BOTH_ENDS = """
                    mov %r3, %r1
                    add %r3, %r2
                    ldxb %r4, [%r1+0]
                    ldxb %r5, [%r3-1]
                    mov %r0, %r4
                    add %r0, %r5
                    add %r4, 1
                    stxb [%r1+0], %r4
                    ldxb %r5, [%r3-1]
                    add %r5, 1
                    stxb [%r3-1], %r5
                    exit
                    """;

    @Test
    void eachRepeatStartsFromTheInputAsGivenWhateverItsLength() {
        // Lengths below 8 bytes, of exactly 8, and with a tail that is not a whole word (the native loop copies words).
        for (String engine : ENGINES) {
            try (Context context = context(engine, "bpf.Verify", "false")) {
                Value program = BpfRunner.evalAsm(context, BOTH_ENDS, "ends.s").getMember("ends");
                for (int length : new int[] {1, 3, 7, 8, 9, 13, 64, 1000}) {
                    byte[] input = new byte[length];
                    input[0] = 10;
                    input[length - 1] = (byte) (length == 1 ? 10 : 20);
                    long expected = length == 1 ? 20 : 30;
                    assertEquals(expected, repeated(program, input, 5_000, engine + ", " + length + " bytes"), engine);
                }
            }
        }
    }

    @Test
    void batchesOnSeveralThreadsAtOnceEachRepeatTheirOwnInput() throws Exception {
        // Each thread's state, images and native loop descriptor are its own: a batch must never see another's input.
        for (String engine : ENGINES) {
            try (Context context = context(engine, "bpf.Verify", "false")) {
                Value program = BpfRunner.evalAsm(context, BOTH_ENDS, "ends.s").getMember("ends");
                List<Throwable> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
                List<Thread> threads = new java.util.ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    byte first = (byte) (10 * (t + 1));
                    byte[] input = new byte[9 + 8 * t];
                    input[0] = first;
                    input[input.length - 1] = first;
                    threads.add(new Thread(() -> {
                        try {
                            for (int round = 0; round < 20; round++) {
                                assertEquals(2L * first, program.invokeMember("executeRepeated", input, 2_000).asLong(), engine + ", input " + first);
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }));
                }
                threads.forEach(Thread::start);
                for (Thread thread : threads) {
                    thread.join();
                }
                assertEquals(List.of(), failures, engine);
            }
        }
    }

    /** A tc program that returns skb->mark plus the packet's first byte, then adds one to both. */
    private static final String MARK_AND_PACKET = """
                    .program marks tc
                    ldxw %r6, [%r1+8]
                    mov %r0, %r6
                    add %r6, 1
                    stxw [%r1+8], %r6
                    ldxw %r2, [%r1+76]
                    ldxw %r3, [%r1+80]
                    mov %r4, %r2
                    add %r4, 1
                    jgt %r4, %r3, out
                    ldxb %r5, [%r2+0]
                    add %r0, %r5
                    add %r5, 1
                    stxb [%r2+0], %r5
                    out:
                    exit
                    """;

    @Test
    void eachRepeatStartsFromTheContextFieldsAndPacketTheSetUpWrote() {
        byte[] packet = new byte[60];
        packet[0] = 7;
        for (String engine : ENGINES) {
            // With a context input too: the mark it sets is what every repeat starts from.
            try (Context plain = context(engine); Context marked = context(engine, "bpf.ContextIn", "0000000000000000" + "05000000")) {
                assertEquals(7, repeated(BpfRunner.evalAsm(plain, MARK_AND_PACKET, "m.s").getMember("marks"), packet, 1_000, engine));
                assertEquals(12, repeated(BpfRunner.evalAsm(marked, MARK_AND_PACKET, "m.s").getMember("marks"), packet, 1_000, engine + ", ctx_in"));
            }
        }
    }

    /** Moves the packet's start 14 bytes on and returns its length: a repeat in the moved packet returns 14 fewer. */
    private static final String SHRINK = """
                    .program shrink xdp
                    mov %r6, %r1
                    mov %r2, 14
                    call xdp_adjust_head
                    jne %r0, 0, bad
                    ldxw %r2, [%r6+0]
                    ldxw %r3, [%r6+4]
                    sub %r3, %r2
                    mov %r0, %r3
                    exit
                    bad:
                    mov %r0, 99
                    exit
                    """;

    @Test
    void aRepeatAfterOneThatMovedThePacketStartsFromAFreshSetUp() {
        for (String engine : ENGINES) {
            try (Context context = context(engine)) {
                assertEquals(40, repeated(BpfRunner.evalAsm(context, SHRINK, "s.s").getMember("shrink"), new byte[54], 100, engine));
            }
        }
    }

    /**
     * Counts its runs; the first tail-calls into another module's program (which adds that module's maps to the
     * run), the second reads the 8 bytes at the address its input holds.
     */
    private static final String TAIL_CALLS_THEN_READS = """
                    .map jmp prog_array key=4 value=4 entries=1
                    .map runs array key=4 value=8 entries=1
                    .program caller raw
                    mov %r6, %r1
                    lddw %r7, map_value:runs+0
                    ldxdw %r8, [%r7+0]
                    add %r8, 1
                    stxdw [%r7+0], %r8
                    jne %r8, 1, second
                    lddw %r2, map:jmp
                    mov %r3, 0
                    call tail_call
                    mov %r0, 99
                    exit
                    second:
                    ldxdw %r2, [%r6+0]
                    ldxdw %r0, [%r2+0]
                    exit
                    """;

    @Test
    void aMapARepeatReachedThroughATailCallIsRefusedToTheNextRepeat() {
        String callee = ".map secret array key=4 value=8 entries=1\n.program callee raw\nlddw %r0, map_value:secret+0\nexit\n";
        for (String engine : ENGINES) {
            try (Context context = context(engine, "bpf.Verify", "false")) {
                Value caller = BpfRunner.evalAsm(context, TAIL_CALLS_THEN_READS, "caller.s");
                Value other = BpfRunner.evalAsm(context, callee, "callee.s");
                caller.getMember("jmp").setArrayElement(0, other.getMember("callee"));
                long secret = other.getMember("callee").execute(new byte[8]).asLong();
                byte[] input = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(secret).array();
                PolyglotException e = assertThrows(PolyglotException.class, () -> caller.getMember("caller").invokeMember("executeRepeated", input, 10));
                // Refused either way: as memory of no region, or as past the end of a map that lies next to it.
                assertTrue(e.getMessage().contains("insn 14") && (e.getMessage().contains("not memory the program may access") || e.getMessage().contains("out of bounds")),
                                engine + ": " + e.getMessage());
                assertEquals(2, caller.getMember("runs").getArrayElement(0).asLong(), engine + ": runs made");
            }
        }
    }

    /** Returns the received tunnel id and sets the tunnel to that id plus one. */
    private static final String BUMPS_TUNNEL = """
                    .program bump tc
                        mov %r6, %r1
                        mov %r2, %r10
                        add %r2, -48
                        mov %r3, 44
                        mov %r4, 0
                        call skb_get_tunnel_key
                        jne %r0, 0, out
                        ldxw %r8, [%r10-48]
                        mov %r7, %r8
                        add %r7, 1
                        stxw [%r10-48], %r7
                        mov %r1, %r6
                        mov %r2, %r10
                        add %r2, -48
                        mov %r3, 44
                        mov %r4, 0
                        call skb_set_tunnel_key
                        mov %r0, %r8
                    out:
                        exit
                    """;

    @Test
    void eachRepeatReceivesTheTunnelTheHostGaveNotTheOneTheRunBeforeSet() {
        for (String engine : ENGINES) {
            try (Context context = context(engine)) {
                Value program = BpfRunner.evalAsm(context, BUMPS_TUNNEL, "bump.s").getMember("bump");
                program.invokeMember("setTunnel", "id=5,remote=10.0.0.9");
                assertEquals(5, repeated(program, new byte[60], 100, engine));
            }
        }
    }

    @Test
    void eachRepeatHasTheWholeBudget() {
        // 1 + 2 * 100 + 1 = 202 instructions in 250: a repeat that inherited what the run before left would stop.
        String loop = "mov %r0, 0\nloop:\nadd %r0, 1\njlt %r0, 100, loop\nexit\n";
        for (String engine : ENGINES) {
            try (Context context = context(engine, "bpf.InstructionLimit", "250")) {
                assertEquals(100, repeated(BpfRunner.evalAsm(context, loop, "loop.s").getMember("loop"), new byte[0], 50_000, engine));
            }
        }
    }

    @Test
    void theClockAndRandomNumbersStartAgainInEachRepeat() {
        String clock = "call ktime_get_ns\nmov %r6, %r0\ncall get_prandom_u32\nxor %r0, %r6\nexit\n";
        for (String engine : ENGINES) {
            try (Context context = context(engine, "bpf.Seed", "42")) {
                repeated(BpfRunner.evalAsm(context, clock, "clock.s").getMember("clock"), new byte[0], 100, engine);
            }
        }
    }

    /** Counts its runs in a map and redirects to ifindex 5 in the first alone. */
    private static final String REDIRECTS_FIRST = """
                    .map runs array key=4 value=8 entries=1
                    .program first xdp
                    lddw %r2, map_value:runs+0
                    ldxdw %r3, [%r2+0]
                    add %r3, 1
                    stxdw [%r2+0], %r3
                    jne %r3, 1, pass
                    mov %r1, 5
                    mov %r2, 0
                    call redirect
                    exit
                    pass:
                    mov %r0, 2
                    exit
                    """;

    @Test
    void aRedirectOfAnEarlierRepeatIsNotReportedForTheLast() {
        for (String engine : ENGINES) {
            try (Context context = context(engine)) {
                Value module = BpfRunner.evalAsm(context, REDIRECTS_FIRST, "first.s");
                Value first = module.getMember("first");
                assertEquals(2, first.invokeMember("executeRepeated", new byte[60], 3).asLong(), engine);
                assertEquals(3, module.getMember("runs").getArrayElement(0).asLong(), engine + ": runs made");
                assertTrue(first.getMember("redirect").isNull(), engine + ": the first repeat's redirect is reported for the last");
            }
        }
    }

    /** Counts its runs in a map; the fifth reads past its one-byte input. */
    private static final String FAILS_FIFTH = """
                    .map runs array key=4 value=8 entries=1
                    lddw %r2, map_value:runs+0
                    ldxdw %r3, [%r2+0]
                    add %r3, 1
                    stxdw [%r2+0], %r3
                    jne %r3, 5, ok
                    ldxb %r0, [%r1+100]
                    ok:
                    mov %r0, %r3
                    exit
                    """;

    @Test
    void aBatchStopsAtItsFirstFailingRunWithThatRunsErrorAndRunsNothingAfterIt() {
        for (String engine : ENGINES) {
            try (Context context = context(engine, "bpf.Verify", "false")) {
                Value module = BpfRunner.evalAsm(context, FAILS_FIFTH, "fails.s");
                PolyglotException e = assertThrows(PolyglotException.class, () -> module.getMember("fails").invokeMember("executeRepeated", new byte[1], 1_000));
                assertTrue(e.getMessage().contains("insn 6") && e.getMessage().contains("out of bounds"), engine + ": " + e.getMessage());
                assertEquals(5, module.getMember("runs").getArrayElement(0).asLong(), engine + ": runs made");
            }
        }
    }

    @Test
    void everyRepeatOfALongBatchRunsOnceAcrossTheNativeLoopsChunks() {
        // More runs than one native loop makes (it returns to the host every 16,384 runs).
        String counter = ".map runs array key=4 value=8 entries=1\nlddw %r2, map_value:runs+0\nldxdw %r0, [%r2+0]\nadd %r0, 1\nstxdw [%r2+0], %r0\nexit\n";
        for (String engine : ENGINES) {
            try (Context context = context(engine)) {
                Value module = BpfRunner.evalAsm(context, counter, "count.s");
                assertEquals(40_001, module.getMember("count").invokeMember("executeRepeated", new byte[0], 40_001).asLong(), engine);
                assertEquals(40_001, module.getMember("runs").getArrayElement(0).asLong(), engine);
            }
        }
    }

    /** Many conformance programs write their memory before they read it back: each repeat must start over. */
    @TestFactory
    Stream<DynamicTest> everyConformanceProgramRepeatedReturnsItsExpectedResultOnBothEngines() {
        Assumptions.assumeTrue(ConformanceSuite.directory().isPresent(), ConformanceSuite.whereToPut());
        List<Path> files = ConformanceSuite.files("tests");
        for (String engine : ENGINES) {
            conformanceContexts.put(engine, context(engine));
        }
        return files.stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
            ConformanceFile file = ConformanceFile.read(path);
            for (var engine : conformanceContexts.entrySet()) {
                // A conformance file's one program is named after the file.
                Value program = BpfRunner.load(engine.getValue(), file).getMember(file.name().replaceFirst("\\.data$", ""));
                long r0 = program.invokeMember("executeRepeated", file.memory(), 3).asLong();
                assertEquals(file.result().longValue(), r0, () -> engine.getKey() + String.format(": r0 = 0x%x, expected 0x%x", r0, file.result()));
            }
        }));
    }

    private static final Map<String, Context> conformanceContexts = new LinkedHashMap<>();

    @AfterAll
    static void closeConformanceContexts() {
        conformanceContexts.values().forEach(Context::close);
    }

    @Test
    void withEachRepeatSetUpOnItsOwnTheBatchGivesTheSameResults() {
        for (String engine : ENGINES) {
            try (Context context = context(engine, "bpf.RepeatInOneSetUp", "false", "bpf.Verify", "false")) {
                Value program = BpfRunner.evalAsm(context, BOTH_ENDS, "ends.s").getMember("ends");
                byte[] input = {10, 0, 0, 20};
                assertEquals(30, repeated(program, input, 100, engine));
            }
        }
    }
}
