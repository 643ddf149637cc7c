package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;
import org.trufflebpf.fuzz.DiffCase;
import org.trufflebpf.fuzz.DifferentialRunner;

/** The execution budget is charged per straight-line block, before the block runs. */
class BudgetTest {
    /** Stores r1 to map slot 0 in a block of 4 instructions (lddw counts once), then runs another 2. */
    private static final String PROGRAM = """
                    .map out array key=4 value=8 entries=1
                    lddw %r2, map_value:out+0
                    stxdw [%r2], %r1
                    mov %r0, 1
                    ja next
                    next:
                    mov %r0, 2
                    exit
                    """;

    private static Value load(Context context) {
        return BpfRunner.evalAsm(context, PROGRAM, "budget.s");
    }

    @Test
    void aLimitThatIsNoPositiveNumberIsRefusedWhenTheContextIsBuilt() {
        for (String limit : new String[] {"-1", "0", "abc"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> BpfRunner.contextBuilder().option("bpf.InstructionLimit", limit).build());
            assertTrue(e.getMessage().contains("the instruction limit must be a positive number"), e.getMessage());
        }
    }

    @Test
    void exactBudgetRunsToTheEnd() {
        try (Context context = BpfRunner.contextBuilder().option("bpf.InstructionLimit", "6").build()) {
            assertEquals(2, load(context).execute(5).asLong());
        }
    }

    @Test
    void blockThatWouldExceedTheBudgetDoesNotStart() {
        try (Context context = BpfRunner.contextBuilder().option("bpf.InstructionLimit", "3").build()) {
            Value module = load(context);
            PolyglotException e = assertThrows(PolyglotException.class, () -> module.execute(5));
            assertTrue(e.getMessage().contains("insn 0") && e.getMessage().contains("execution budget of 3 instructions exhausted"), e.getMessage());
            assertEquals(0, module.getMember("out").getArrayElement(0).asLong(), "the first block's store must not happen");
        }
    }

    @Test
    void secondBlockIsStoppedAfterTheFirstRan() {
        try (Context context = BpfRunner.contextBuilder().option("bpf.InstructionLimit", "5").build()) {
            Value module = load(context);
            PolyglotException e = assertThrows(PolyglotException.class, () -> module.execute(5));
            assertTrue(e.getMessage().contains("insn 5 'mov %r0, 2'"), e.getMessage());
            assertEquals(5, module.getMember("out").getArrayElement(0).asLong());
        }
    }

    @Test
    void infiniteLoopIsStopped() {
        try (Context context = BpfRunner.contextBuilder().option("bpf.InstructionLimit", "100000").build()) {
            Value module = BpfRunner.evalAsm(context, "mov %r0, 0\nloop:\nadd %r0, 1\nja loop\n", "loop.s");
            PolyglotException e = assertThrows(PolyglotException.class, module::execute);
            assertTrue(e.isGuestException() && e.getMessage().contains("execution budget"), e.getMessage());
        }
    }

    @Test
    void endlessLoopThroughHelperAndFunctionCallsStopsAtTheSameInstructionAndCountOnBothEngines() {
        // Each iteration calls a helper (which charges the budget the native code stores for it) and a BPF
        // function (whose blocks the native code charges in its budget register): neither may lose a charge,
        // or the native run would stop later than the interpreter's, or never.
        String loop = """
                        mov %r6, 0
                        loop:
                        call ktime_get_ns
                        call local step
                        add %r6, 1
                        ja loop
                        step:
                        mov %r0, 1
                        exit
                        """;
        try (DifferentialRunner runner = new DifferentialRunner(Map.of("bpf.InstructionLimit", "100003"))) {
            DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly("endless.s", loop, null, null));
            assertFalse(comparison.diverges(), comparison::report);
            String error = comparison.interpreter().error();
            assertTrue(error != null && error.contains("execution budget of 100003 instructions exhausted"), comparison.interpreter().summary());
        }
    }
}
