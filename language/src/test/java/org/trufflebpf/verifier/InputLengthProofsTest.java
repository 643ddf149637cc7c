package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.ProgramAnalysis;

/**
 * Reads of a raw-memory program's input proven through its length in r2 ({@link InputLength}): exactly those whose
 * every byte lies below the length on every path; reads only; only through unsigned 64-bit comparisons and
 * arithmetic that cannot wrap.
 */
class InputLengthProofsTest {

    private static ProgramAnalysis analysis(String text) {
        return Verifier.verify(Assembler.assembleProgram(text, "prog.s")).analysis();
    }

    private static Set<Integer> provenByLength(String text) {
        ProgramAnalysis analysis = analysis(text);
        for (int index : analysis.provenByInputLength()) {
            assertTrue(analysis.isProvenAccess(index), "a length proof is a proof");
        }
        return analysis.provenByInputLength();
    }

    /** for (i = 0; i < len; i++) h ^= mem[i], as clang compiles it: the test on entry, then at the bottom. */
    private static final String BYTE_LOOP = """
                    mov %r0, 0
                    jeq %r2, 0, +7
                    mov %r3, 0
                    mov %r5, %r1
                    add %r5, %r3
                    ldxb %r5, [%r5+OFFSET]
                    xor %r0, %r5
                    add %r3, 1
                    jgt %r2, %r3, -6
                    exit
                    """;

    @Test
    void aByteLoopBelowTheLengthIsProven() {
        assertEquals(Set.of(5), provenByLength(BYTE_LOOP.replace("OFFSET", "0")));
    }

    @Test
    void aByteLoopReadingOneBytePastTheIndexIsNotProven() {
        assertEquals(Set.of(), provenByLength(BYTE_LOOP.replace("OFFSET", "1")));
    }

    @Test
    void aLoopUpToAndIncludingTheLengthIsNotProven() {
        // jge instead of jgt: i <= len on the back edge, so mem[len] is read.
        assertEquals(Set.of(), provenByLength(BYTE_LOOP.replace("OFFSET", "0").replace("jgt %r2, %r3, -6", "jge %r2, %r3, -6")));
    }

    @Test
    void signedAnd32BitComparisonsWithTheLengthProveNothing() {
        assertEquals(Set.of(), provenByLength(BYTE_LOOP.replace("OFFSET", "0").replace("jgt %r2, %r3, -6", "jsgt %r2, %r3, -6")));
        assertEquals(Set.of(), provenByLength(BYTE_LOOP.replace("OFFSET", "0").replace("jgt %r2, %r3, -6", "jgt32 %r2, %r3, -6")));
    }

    @Test
    void aWriteAtAProvenIndexKeepsItsCheck() {
        // The input may be a caller's read-only buffer: only the run-time check refuses the write.
        assertEquals(Set.of(), provenByLength(BYTE_LOOP.replace("OFFSET", "0").replace("ldxb %r5, [%r5+0]", "stb [%r5+0], 1")));
    }

    @Test
    void aFixedStrideLoopAfterAMinimumLengthCheckIsProvenToItsLastByte() {
        // if (len < 64) return; for (i = 0; i < 64; i += 4) reads mem[i], mem[i+1], mem[i+2]; r2 is reused as i.
        String loop = """
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
                        ldxb %r5, [%r6+LAST]
                        add %r0, %r5
                        add %r2, 4
                        mov %r5, %r0
                        jgt %r3, %r4, -14
                        exit
                        """;
        assertEquals(Set.of(9, 11, 15), provenByLength(loop.replace("LAST", "2")));
        // i reaches 60: mem[64] lies past a 64-byte input.
        assertEquals(Set.of(9, 11), provenByLength(loop.replace("LAST", "4")));
    }

    @Test
    void fixedOffsetsBelowACheckedMinimumLengthAreProven() {
        String program = """
                        mov %r0, 0
                        jlt %r2, 8, +1
                        ldxdw %r0, [%r1OFFSET]
                        exit
                        """;
        assertEquals(Set.of(2), provenByLength(program.replace("OFFSET", "+0")));
        assertEquals(Set.of(), provenByLength(program.replace("OFFSET", "+1")));
        assertEquals(Set.of(), provenByLength(program.replace("OFFSET", "-8")));
    }

    @Test
    void theLengthMinusAConstantBoundsAnIndexOnlyWhenTheSubtractionCannotWrap() {
        // for (i = 0; i < len - 8; i++) read mem[i + 8]: with len < 8, len - 8 wraps and every i passes.
        String program = """
                        mov %r0, 0
                        GUARD
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
                        """;
        assertEquals(Set.of(), provenByLength(program.replace("GUARD", "mov %r7, 0")));
        assertEquals(Set.of(8), provenByLength(program.replace("GUARD", "jlt %r2, 8, +10")));
    }

    @Test
    void aConstantIndexBelowTheLengthIsProvenAsTheLoopsFirstRound() {
        // if (2 < len) read mem[2]: the comparison with the length itself, not a checked minimum, bounds the constant.
        String program = """
                        mov %r0, 0
                        mov %r4, 2
                        jge %r4, %r2, +3
                        mov %r5, %r1
                        add %r5, %r4
                        ldxb %r0, [%r5+OFFSET]
                        exit
                        """;
        assertEquals(Set.of(5), provenByLength(program.replace("OFFSET", "0")));
        assertEquals(Set.of(), provenByLength(program.replace("OFFSET", "1")));
    }

    @Test
    void theLesserOfTheLengthAndAConstantBoundsAnIndex() {
        // n = min(len, 64); for (i = 0; i < n; i++) read mem[i]: on one path n is the length, on the other 64 below it.
        String program = """
                        mov %r0, 0
                        mov %r7, %r2
                        jle %r7, 64, +1
                        mov %r7, 64
                        mov %r3, 0
                        jge %r3, %r7, +6
                        mov %r5, %r1
                        add %r5, %r3
                        ldxb %r6, [%r5+OFFSET]
                        add %r0, %r6
                        add %r3, 1
                        jlt %r3, %r7, -6
                        exit
                        """;
        assertEquals(Set.of(8), provenByLength(program.replace("OFFSET", "0")));
        assertEquals(Set.of(), provenByLength(program.replace("OFFSET", "1")));
        // The constant path knows len > 64: a bound of 65 still fits, 66 may not.
        assertEquals(Set.of(8), provenByLength(program.replace("OFFSET", "0").replace("mov %r7, 64", "mov %r7, 65")));
        assertEquals(Set.of(), provenByLength(program.replace("OFFSET", "0").replace("mov %r7, 64", "mov %r7, 66")));
    }

    @Test
    void aLengthChangedByAnythingButAConstantProvesNothing() {
        assertEquals(Set.of(), provenByLength(BYTE_LOOP.replace("OFFSET", "0").replace("mov %r3, 0\n", "mov %r3, 0\n                    mul %r2, 2\n")
                        .replace("jeq %r2, 0, +7", "jeq %r2, 0, +8")));
    }

    @Test
    void aPointerMovedTwiceByVariablesIsNotProven() {
        assertEquals(Set.of(), provenByLength(BYTE_LOOP.replace("OFFSET", "0").replace("add %r5, %r3\n", "add %r5, %r3\n                    add %r5, %r3\n")
                        .replace("jeq %r2, 0, +7", "jeq %r2, 0, +8").replace("jgt %r2, %r3, -6", "jgt %r2, %r3, -7")));
    }

    @Test
    void withoutTheLengthInR2NothingIsProvenThroughIt() {
        // r2 is overwritten with 9 before the loop: the loop is bounded by a number, not by the input's length.
        ProgramAnalysis analysis = Verifier.verify(Assembler.assembleProgram(BYTE_LOOP.replace("OFFSET", "0").replace("jeq %r2, 0, +7", "mov %r2, 9\n                    jeq %r2, 0, +7"),
                        "prog.s")).analysis();
        assertFalse(analysis.needsInputAtEntry());
    }
}
