package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.junit.jupiter.api.Test;

/**
 * Where functions start is one rule for both engines, also for programs that run unverified: slot 0, every
 * bpf-to-bpf call target and every {@code lddw func:} target. A jump from one function into another is then
 * refused alike.
 */
class FunctionStartsTest {
    /** The (unreachable) lddw names slot 3 as a function; the ja jumps there from the entry function. */
    private static final String JUMP_INTO_A_FUNCTION_ADDRESS = """
                    ja +2
                    mov %r0, 1
                    exit
                    mov %r0, 7
                    exit
                    lddw %r1, func:-3
                    exit
                    """;

    private static String failure(String engine) {
        try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).option("bpf.Verify", "false").build()) {
            return assertThrows(PolyglotException.class, () -> BpfRunner.evalAsm(context, JUMP_INTO_A_FUNCTION_ADDRESS, "func.s").execute())
                            .getMessage();
        }
    }

    @Test
    void aLddwFunctionTargetStartsAFunctionOnBothEngines() {
        String interpreted = failure("interpreter");
        assertEquals(interpreted, failure("native"));
        assertEquals("func.s: function 'func': insn 0 'ja +2': jump target 3 is outside the function", interpreted);
    }
}
