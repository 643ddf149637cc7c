package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Program;

/**
 * When path-by-path exploration gives up (here: a loop bounded only by the input's length), the verifier joins
 * the states of each block. A joined pointer of unknown kind may be the function's own stack pointer, so a store
 * through it may overwrite a spilled pointer: the spill must be forgotten, or a number written over it would be
 * dereferenced as the pointer that was spilled.
 */
class JoinedStatesTest {
    private static final String SPILL_OVERWRITTEN_THROUGH_A_JOINED_POINTER = """
                    stxdw [%r10-8], %r1
                    mov %r3, %r10
                    add %r3, -8
                    jeq %r2, 0, +1
                    mov %r3, %r1
                    mov %r5, 0
                    loop:
                    add %r5, 1
                    jlt %r5, %r2, loop
                    stdw [%r3], 12345
                    ldxdw %r4, [%r10-8]
                    ldxb %r0, [%r4]
                    exit""";

    @Test
    void aStoreThroughAJoinedPointerOfUnknownKindForgetsTheSpilledPointers() {
        Program program = Assembler.assembleProgram(SPILL_OVERWRITTEN_THROUGH_A_JOINED_POINTER, "prog.s");
        BpfError e = assertThrows(BpfError.class, () -> Verifier.verify(program));
        assertEquals("prog.s: function 'prog': insn 10 'ldxb %r0, [%r4]': R4 invalid mem access 'scalar'", e.getMessage());
    }

    @Test
    void theLogOfAJoinedAnalysisShowsTheFailingBlockFromItsJoinedEntry() {
        String log = Verifier.failureLog(Assembler.assembleProgram(SPILL_OVERWRITTEN_THROUGH_A_JOINED_POINTER, "prog.s"), VerifierOptions.defaults());
        // r5 never wraps: it only grows while below r2, so it leaves the loop at least 1.
        assertTrue(log.contains("8: R1=ctx() R2=scalar() R3=ptr() R5=scalar(umin=1) R10=fp0 fp-8=ctx()"), log);
        assertTrue(log.contains("R4 invalid mem access 'scalar'"), log);
    }
}
