package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/**
 * The interpreter runs on the optimizing Truffle runtime and Graal compiles hot programs: the engine is not
 * the interpreter-only fallback, a hot function is compiled without failing and without deoptimising again
 * and again, and a long loop is entered through on-stack replacement.
 */
class CompilationTest {
    /** Sums n..1 through a stack slot and a bpf-to-bpf call; r1 = n. */
    private static final String HOT_PROGRAM = """
                    mov %r6, %r1
                    mov %r0, 0
                    stxdw [%r10-8], %r0
                    loop:
                    ldxdw %r2, [%r10-8]
                    mov %r1, %r6
                    call local add
                    stxdw [%r10-8], %r0
                    sub %r6, 1
                    jne %r6, 0, loop
                    ldxdw %r0, [%r10-8]
                    exit
                    add:
                    mov %r0, %r2
                    add %r0, %r1
                    exit
                    """;

    private static List<String> lines(ByteArrayOutputStream log) {
        return log.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void engineIsTheOptimizingRuntime() {
        try (Context context = BpfRunner.contextBuilder().build()) {
            String name = context.getEngine().getImplementationName();
            assertNotEquals("Interpreted", name, "Truffle fell back to the interpreter-only runtime");
        }
    }

    @Test
    void hotProgramIsCompiledWithoutRepeatedDeoptimization() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Context context = BpfRunner.contextBuilder().option("engine.TraceCompilation", "true").option("engine.BackgroundCompilation", "false")
                        .option("engine.CompilationFailureAction", "Throw").option("engine.FirstTierCompilationThreshold", "50")
                        .option("engine.LastTierCompilationThreshold", "100").logHandler(log).build()) {
            Value program = BpfRunner.evalAsm(context, HOT_PROGRAM, "hot.s");
            for (int i = 0; i < 3000; i++) {
                assertEquals(500500L, program.execute(1000).asLong());
            }
        }
        List<String> lines = lines(log);
        // By the function's name: every line also names the source (hot.s) now that functions have source sections.
        long done = lines.stream().filter(l -> l.contains("opt done") && l.contains("bpf hot ")).count();
        long failed = lines.stream().filter(l -> l.contains("opt failed")).count();
        long deopts = lines.stream().filter(l -> (l.contains("opt deopt") || l.contains("opt inval")) && l.contains("bpf hot ")).count();
        assertTrue(done >= 1, () -> "the hot program was never compiled:\n" + String.join("\n", lines));
        assertEquals(0, failed, () -> "a compilation failed:\n" + String.join("\n", lines));
        assertTrue(deopts <= 1, () -> "repeated deoptimization:\n" + String.join("\n", lines));
    }

    @Test
    void longLoopIsCompiledThroughOnStackReplacement() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Context context = BpfRunner.contextBuilder().option("engine.TraceCompilation", "true").option("engine.BackgroundCompilation", "false")
                        .option("engine.OSRCompilationThreshold", "1000").logHandler(log).build()) {
            Value program = BpfRunner.evalAsm(context, """
                            mov %r0, 0
                            loop:
                            add %r0, %r1
                            sub %r1, 1
                            jne %r1, 0, loop
                            exit
                            """, "osr.s");
            for (int i = 0; i < 10; i++) {
                assertEquals(200_000L * 200_001L / 2, program.execute(200_000).asLong());
            }
        }
        List<String> lines = lines(log);
        assertTrue(lines.stream().anyMatch(l -> l.contains("opt done") && l.contains("OSR")), () -> "no OSR compilation:\n" + String.join("\n", lines));
        assertFalse(lines.stream().anyMatch(l -> l.contains("opt failed")), () -> String.join("\n", lines));
        // Returning from OSR code must not leave compiled code each time (no parent-frame restore).
        long osrDeopts = lines.stream().filter(l -> l.contains("opt deopt") && l.contains("OSR")).count();
        assertTrue(osrDeopts <= 1, () -> "OSR code deoptimized on return:\n" + String.join("\n", lines));
    }

    /** entry calls sub, which tail calls leaf through slot 0; leaf returns 5. */
    private static final String TAIL_CALL_CHAIN = """
                    .map jmp_table prog_array key=4 value=4 entries=1
                    .slot jmp_table 0 leaf
                    .program entry socket
                        call local sub
                        exit
                    sub:
                        lddw %r2, map:jmp_table
                        mov %r3, 0
                        call tail_call
                        mov %r0, 1
                        exit
                    .program leaf socket
                        mov %r0, 5
                        exit
                    """;

    /**
     * The tail-call ABI is a constant of compiled code: the function nodes assert it as a partial-evaluation
     * constant, so compiling fails if it is read from the run instead. A bpf-to-bpf call and a tail call compile
     * under each ABI, as the context's and through {@code withTailCallAbi} as the other.
     */
    @Test
    void compiledCodeHoldsTheTailCallAbiAsAConstant() {
        for (String abi : new String[] {"shared", "counter-by-value"}) {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            try (Context context = BpfRunner.contextBuilder().option("bpf.TailCallAbi", abi).option("engine.CompileImmediately", "true")
                            .option("engine.BackgroundCompilation", "false").option("engine.CompilationFailureAction", "Throw")
                            .option("engine.TraceCompilation", "true").logHandler(log).build()) {
                Value entry = BpfRunner.evalAsm(context, TAIL_CALL_CHAIN, "chain.s").getMember("entry");
                for (String runAbi : new String[] {"shared", "counter-by-value"}) {
                    assertEquals(5, entry.invokeMember("withTailCallAbi", runAbi).execute(new byte[16]).asLong(), abi + " context, " + runAbi + " run");
                }
            }
            List<String> lines = lines(log);
            assertTrue(lines.stream().filter(l -> l.contains("opt done") && l.contains("bpf sub")).count() >= 2, () -> String.join("\n", lines));
            assertFalse(lines.stream().anyMatch(l -> l.contains("opt failed")), () -> String.join("\n", lines));
        }
    }

    /** entry tail calls slot 0 of its own prog array (a constant key) and returns 99 when the slot is empty. */
    private static final String CONSTANT_SLOT = """
                    .map jmp_table prog_array key=4 value=4 entries=2
                    .program entry socket
                        lddw %r2, map:jmp_table
                        mov %r3, 0
                        call tail_call
                        mov %r0, 99
                        exit
                    .program five socket
                        mov %r0, 5
                        exit
                    .program seven socket
                        mov %r0, 7
                        exit
                    """;

    /**
     * Compiled code takes the program in a slot its tail call always names as a constant: a slot update by the
     * host invalidates that code, so the next run enters the new program (or none), as the native engine
     * re-patches its direct tail calls.
     */
    @Test
    void aSlotUpdateReachesCodeCompiledWithTheSlotsProgramAsAConstant() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Context context = BpfRunner.contextBuilder().option("engine.CompileImmediately", "true").option("engine.BackgroundCompilation", "false")
                        .option("engine.CompilationFailureAction", "Throw").option("engine.TraceCompilation", "true").logHandler(log).build()) {
            Value module = BpfRunner.evalAsm(context, CONSTANT_SLOT, "slot.s");
            Value entry = module.getMember("entry");
            Value slots = module.getMember("jmp_table");
            assertEquals(99, entry.execute(new byte[16]).asLong());
            slots.setArrayElement(0, module.getMember("five"));
            for (int i = 0; i < 3; i++) {
                assertEquals(5, entry.execute(new byte[16]).asLong());
            }
            slots.setArrayElement(0, module.getMember("seven"));
            assertEquals(7, entry.execute(new byte[16]).asLong());
            slots.removeArrayElement(0);
            assertEquals(99, entry.execute(new byte[16]).asLong());
        }
        List<String> lines = lines(log);
        assertTrue(lines.stream().anyMatch(l -> l.contains("opt inv") && l.contains("bpf entry") && l.contains("prog array slot 0 changed")),
                        () -> String.join("\n", lines));
    }

    /**
     * A slot the host keeps swapping stops being a constant of compiled code after a few changes: every run still
     * enters the slot's program of the moment, and the code is not thrown away on every swap.
     */
    @Test
    void aSlotSwappedAgainAndAgainStopsInvalidatingCompiledCode() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int swaps = 200;
        try (Context context = BpfRunner.contextBuilder().option("engine.CompileImmediately", "true").option("engine.BackgroundCompilation", "false")
                        .option("engine.CompilationFailureAction", "Throw").option("engine.TraceCompilation", "true").logHandler(log).build()) {
            Value module = BpfRunner.evalAsm(context, CONSTANT_SLOT, "slot.s");
            Value entry = module.getMember("entry");
            Value slots = module.getMember("jmp_table");
            for (int i = 0; i < swaps; i++) {
                boolean odd = i % 2 == 1;
                slots.setArrayElement(0, module.getMember(odd ? "seven" : "five"));
                assertEquals(odd ? 7 : 5, entry.execute(new byte[16]).asLong(), "after swap " + i);
            }
        }
        // Each swap while the slot is a constant throws entry's code away, and the next run compiles it again.
        List<String> lines = lines(log);
        long compilations = lines.stream().filter(l -> l.contains("opt done") && l.contains("bpf entry")).count();
        assertTrue(compilations > 1 && compilations <= 20, () -> compilations + " compilations of entry for " + swaps + " swaps\n" + String.join("\n", lines));
    }

    /** Compiled on first call: helpers, maps (with the array-lookup fast path), atomics and tail calls agree. */
    @Test
    void compiledCodeGivesTheInterpretersResults() {
        try (Context context = BpfRunner.contextBuilder().option("engine.CompileImmediately", "true").option("engine.BackgroundCompilation", "false")
                        .option("engine.CompilationFailureAction", "Throw").build()) {
            Value module = BpfRunner.evalAsm(context, PolyglotEmbeddingTest.SOURCE, "compiled.s");
            Value count = module.getMember("count");
            for (int i = 1; i <= 20; i++) {
                assertEquals(i % 7, count.execute(new byte[i % 7]).asLong());
            }
            assertEquals(20, module.getMember("counts").getArrayElement(0).asLong());
            module.getMember("jmp").setArrayElement(0, module.getMember("seven"));
            assertEquals(7, count.execute(new byte[3]).asLong());
            assertEquals(21, module.getMember("counts").getArrayElement(0).asLong());
            assertEquals(1, module.getMember("lengths").getHashValue(6).asLong(), "the program stores 1 for each length seen");
            assertEquals(7, module.getMember("lengths").getHashSize(), "lengths 0 to 6");
        }
    }

    private static Context compilingOnFirstCall(ByteArrayOutputStream log, String... options) {
        Context.Builder builder = BpfRunner.contextBuilder().option("engine.CompileImmediately", "true").option("engine.BackgroundCompilation", "false")
                        .option("engine.CompilationFailureAction", "Throw").option("engine.TraceCompilation", "true").logHandler(log);
        for (int i = 0; i < options.length; i += 2) {
            builder.option(options[i], options[i + 1]);
        }
        return builder.build();
    }

    /**
     * The compiled repeat loop puts the input back with moves unrolled for the length of its batches so far: a
     * batch of another length (shorter, longer, not whole words, longer than it unrolls) gets its own bytes back.
     */
    @Test
    void aCompiledRepeatLoopPutsBackEachBatchsInputWhateverItsLength() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Context context = compilingOnFirstCall(log, "bpf.Verify", "false")) {
            Value program = BpfRunner.evalAsm(context, RepeatedRunsTest.BOTH_ENDS, "ends.s").getMember("ends");
            for (int length : new int[] {16, 16, 64, 9, 300, 16, 3}) {
                byte[] input = new byte[length];
                input[0] = 10;
                input[length - 1] = 20;
                assertEquals(30, program.invokeMember("executeRepeated", input, 200).asLong(), length + " bytes");
            }
        }
        List<String> lines = lines(log);
        assertTrue(lines.stream().anyMatch(l -> l.contains("opt done") && l.contains("RepeatRootNode")), () -> String.join("\n", lines));
    }

    /** Counts its runs; the tenth tail-calls slot 0, a program of another module, which returns 77. */
    private static final String TENTH_CALLS_ANOTHER_MODULE = """
                    .map jmp prog_array key=4 value=4 entries=1
                    .map runs array key=4 value=8 entries=1
                    .program counted raw
                    lddw %r7, map_value:runs+0
                    ldxdw %r0, [%r7+0]
                    add %r0, 1
                    stxdw [%r7+0], %r0
                    jne %r0, 10, out
                    lddw %r2, map:jmp
                    mov %r3, 0
                    call tail_call
                    out:
                    exit
                    """;

    /**
     * A run that reaches another module's maps needs the full rearm, which compiled code leaves out until a run
     * needs it: the code is thrown away there, that run is rearmed in full, and every run after it starts with the
     * whole budget (30 instructions, where the batch runs 300) and its own result.
     */
    @Test
    void aCompiledRepeatLoopRearmsInFullOnceARunReachesAnotherModule() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Context context = compilingOnFirstCall(log, "bpf.Verify", "false", "bpf.InstructionLimit", "30")) {
            Value module = BpfRunner.evalAsm(context, TENTH_CALLS_ANOTHER_MODULE, "counted.s");
            Value other = BpfRunner.evalAsm(context, ".program callee raw\nmov %r0, 77\nexit\n", "callee.s");
            module.getMember("jmp").setArrayElement(0, other.getMember("callee"));
            Value counted = module.getMember("counted");
            assertEquals(9, counted.invokeMember("executeRepeated", new byte[8], 9).asLong(), "nine runs before the tenth");
            assertEquals(30, counted.invokeMember("executeRepeated", new byte[8], 21).asLong(), "the batch's last run");
            assertEquals(30, module.getMember("runs").getArrayElement(0).asLong(), "runs made");
        }
        List<String> lines = lines(log);
        assertTrue(lines.stream().anyMatch(l -> (l.contains("opt deopt") || l.contains("opt inv")) && l.contains("RepeatRootNode")),
                        () -> String.join("\n", lines));
    }
}
