package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A prog array slot that the host filled with a program of another module (of the same context): a tail call
 * through it runs that program with its own module's maps, as the kernel runs a program from another object
 * through a prog array. Both engines do the same: the interpreter adds the callee's maps to the run at the tail
 * call, native code when it enters the callee (before, the native engine refused the callee's map value).
 */
class CrossModuleTailCallTest {
    private static final String CALLER = """
                    .map jmp prog_array key=4 value=4 entries=2
                    .program caller socket
                    lddw %r2, map:jmp
                    mov %r3, 0
                    call tail_call
                    mov %r0, 99
                    exit
                    """;
    /** Counts its runs in its own map and returns 42 once the count is written. */
    private static final String CALLEE = """
                    .map runs array key=4 value=8 entries=1
                    .program callee socket
                    stw [%r10-4], 0
                    lddw %r1, map:runs
                    mov %r2, %r10
                    add %r2, -4
                    call map_lookup_elem
                    jeq %r0, 0, none
                    ldxdw %r1, [%r0+0]
                    add %r1, 1
                    stxdw [%r0+0], %r1
                    mov %r0, 42
                    exit
                    none:
                    mov %r0, 7
                    exit
                    """;

    /** Unverified too: then the callee's map value access is checked at run time rather than proven. */
    @ParameterizedTest
    @CsvSource({"interpreter, true", "native, true", "interpreter, false", "native, false"})
    void aTailCallIntoAnotherModulesProgramRunsItWithItsOwnMaps(String engine, String verify) {
        try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).option("bpf.Verify", verify).build()) {
            Value caller = BpfRunner.evalAsm(context, CALLER, "caller.s");
            Value callee = BpfRunner.evalAsm(context, CALLEE, "callee.s");
            caller.getMember("jmp").setArrayElement(0, callee.getMember("callee"));
            assertEquals(42, caller.getMember("caller").execute(new byte[20]).asLong());
            assertEquals(42, caller.getMember("caller").execute(new byte[20]).asLong());
            assertEquals(42, callee.getMember("callee").execute(new byte[20]).asLong());
            assertEquals(3, callee.getMember("runs").getArrayElement(0).asLong());
            // Back to the caller's own module: an empty slot falls through.
            caller.getMember("jmp").removeArrayElement(0);
            assertEquals(99, caller.getMember("caller").execute(new byte[20]).asLong());
        }
    }
}
