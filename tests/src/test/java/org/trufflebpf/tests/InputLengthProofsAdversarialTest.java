package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.fuzz.DiffCase;
import org.trufflebpf.fuzz.DifferentialRunner;
import org.trufflebpf.model.ProgramAnalysis;
import org.trufflebpf.verifier.Verifier;

/**
 * Reads of a raw program's input proven through its length in r2 run unchecked; each such proof is a claim about
 * memory. Every case runs over inputs of every length from 0 to 80 with the native engine trusting the proofs
 * and the interpreter checking every access: a wrong proof shows as the interpreter refusing a read the native
 * code made. And since the proofs hold only for a run that starts with the input in r1 and its length in r2,
 * such a program is refused any other start: given registers, or a tail call (which enters with the caller's r2).
 */
class InputLengthProofsAdversarialTest {

    record Case(String behaviour, String text, boolean mustProve) {
        @Override
        public String toString() {
            return behaviour;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
            new Case("a byte loop below the length", byteLoop("xor", 0), true),
            new Case("a byte loop reading one past the index (not proven, checked)", byteLoop("xor", 1), false),
            new Case("a stride loop after a minimum length check", """
                            mov %r0, 0
                            mov %r3, 64
                            jgt %r3, %r2, +17
                            mov %r5, 1
                            mov %r2, 0
                            mov %r3, 60
                            mov %r4, %r2
                            mov %r6, %r1
                            add %r6, %r4
                            ldxb %r0, [%r6+1]
                            lsh %r0, 8
                            ldxb %r7, [%r6+0]
                            or %r0, %r7
                            xor %r0, %r5
                            mul %r0, 31
                            ldxb %r5, [%r6+3]
                            add %r0, %r5
                            add %r2, 4
                            mov %r5, %r0
                            jgt %r3, %r4, -14
                            exit
                            """, true),
            new Case("the length minus eight bounds an index read eight bytes on", """
                            mov %r0, 0
                            jlt %r2, 8, +10
                            mov %r3, %r2
                            sub %r3, 8
                            mov %r4, 0
                            jge %r4, %r3, +6
                            mov %r5, %r1
                            add %r5, %r4
                            ldxb %r6, [%r5+8]
                            add %r0, %r6
                            add %r4, 1
                            ja -7
                            exit
                            """, true),
            new Case("the length minus eight unguarded (wraps below 8: checked)", """
                            mov %r0, 0
                            mov %r3, %r2
                            sub %r3, 8
                            mov %r4, 0
                            jge %r4, %r3, +6
                            mov %r5, %r1
                            add %r5, %r4
                            ldxb %r6, [%r5+8]
                            add %r0, %r6
                            add %r4, 1
                            ja -7
                            exit
                            """, false),
            new Case("words at fixed offsets below a checked length", """
                            mov %r0, 0
                            jlt %r2, 12, +3
                            ldxdw %r0, [%r1+0]
                            ldxw %r3, [%r1+8]
                            add %r0, %r3
                            exit
                            """, true),
            new Case("a pointer walked by a constant each round, bounded by the length", """
                            mov %r0, 0
                            jlt %r2, 4, +9
                            mov %r3, 0
                            mov %r4, %r2
                            sub %r4, 3
                            mov %r5, %r1
                            add %r5, %r3
                            ldxw %r6, [%r5+0]
                            add %r0, %r6
                            add %r3, 1
                            jgt %r4, %r3, -6
                            exit
                            """, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void provenReadsStayInTheInputForEveryLength(Case c) {
        Random random = new Random(20261129);
        try (DifferentialRunner runner = new DifferentialRunner(Map.of("bpf.TrustProofs", "false"), Map.of("bpf.TrustProofs", "true"))) {
            for (int length = 0; length <= 80; length++) {
                byte[] input = new byte[length];
                random.nextBytes(input);
                DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly("prog.s", c.text(), null, input));
                assertFalse(comparison.diverges(), comparison::report);
                if (c.mustProve()) {
                    int n = length;
                    assertEquals(null, comparison.interpreter().errorKind(),
                                    () -> "proven, yet a " + n + "-byte input stopped the checked interpreter: " + comparison.interpreter().summary());
                }
            }
        }
        ProgramAnalysis analysis = Verifier.verify(Assembler.assembleProgram(c.text(), "prog.s")).analysis();
        assertEquals(c.mustProve(), analysis.needsInputAtEntry(), () -> "proven through the length: " + analysis.provenByInputLength());
    }

    /** for (i = 0; i < len; i++) r0 OP= mem[i + offset], as clang compiles it: the test on entry, then at the bottom. */
    private static String byteLoop(String fold, int offset) {
        return """
                        mov %r0, 0
                        jeq %r2, 0, +7
                        mov %r3, 0
                        mov %r5, %r1
                        add %r5, %r3
                        ldxb %r5, [%r5+OFFSET]
                        FOLD %r0, %r5
                        add %r3, 1
                        jgt %r2, %r3, -6
                        exit
                        """.replace("OFFSET", Integer.toString(offset)).replace("FOLD", fold);
    }

    private static final String BYTE_SUM = ".program sum raw\n" + byteLoop("add", 0);

    private static Context context(String engine) {
        return BpfRunner.contextBuilder().option("bpf.Engine", engine).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"interpreter", "native"})
    void aProgramProvenThroughItsLengthRunsOverBytesButNotOverGivenRegisters(String engine) {
        try (Context context = context(engine)) {
            Value sum = BpfRunner.evalAsm(context, BYTE_SUM, "sum.s").getMember("sum");
            assertEquals(1 + 2 + 3, sum.execute(new byte[] {1, 2, 3}).asLong());
            // A host address and a length of its choosing would make the unchecked reads reach anything.
            PolyglotException refused = assertThrows(PolyglotException.class, () -> sum.execute(0x1000L, 1L << 40));
            assertEquals("sum.s: function 'sum': the program reads its input at indexes proven below the length in r2; run it over input bytes, not given registers",
                            refused.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"interpreter", "native"})
    void aProgramProvenThroughItsLengthIsNoTailCallTarget(String engine) {
        String caller = """
                        .map jmp prog_array key=4 value=4 entries=1
                        .program caller raw
                        lddw %r2, map:jmp
                        mov %r3, 0
                        call tail_call
                        mov %r0, 1
                        exit
                        """;
        String problem = "program 'sum' reads its input at indexes proven below the length in r2, and a tail call enters it with the caller's r2"
                        + " (the prog array), so it cannot be a tail call's target";
        // At load: an initial slot naming it.
        try (Context context = context(engine)) {
            PolyglotException refused = assertThrows(PolyglotException.class,
                            () -> BpfRunner.evalAsm(context, caller + ".slot jmp 0 sum\n" + BYTE_SUM, "prog.s"));
            assertEquals("prog.s: prog array 'jmp' slot 0: " + problem, refused.getMessage());
        }
        // When the host fills a slot: refused, and the slot stays empty (the tail call falls through).
        try (Context context = context(engine)) {
            Value module = BpfRunner.evalAsm(context, caller + BYTE_SUM, "prog.s");
            PolyglotException refused = assertThrows(PolyglotException.class, () -> module.getMember("jmp").setArrayElement(0, module.getMember("sum")));
            assertTrue(refused.getMessage().endsWith(problem), refused::getMessage);
            assertTrue(module.getMember("jmp").getArrayElement(0).isNull());
            assertEquals(1, module.getMember("caller").execute(new byte[] {1, 2, 3}).asLong());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"interpreter", "native"})
    void withoutTrustedProofsTheSameProgramTakesRegistersAndSlots(String engine) {
        try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).option("bpf.TrustProofs", "false").build()) {
            Value sum = BpfRunner.evalAsm(context, BYTE_SUM, "sum.s").getMember("sum");
            // Every read is checked: the given registers name no memory of the run, and the first read is refused.
            PolyglotException refused = assertThrows(PolyglotException.class, () -> sum.execute(0x1000L, 4L));
            assertTrue(refused.isGuestException(), refused::getMessage);
            assertFalse(refused.getMessage().contains("proven below the length"), refused::getMessage);
        }
    }
}
