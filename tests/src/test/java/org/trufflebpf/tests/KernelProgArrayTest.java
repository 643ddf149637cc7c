package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/**
 * Prog-array slots the host changes through the Context API are changed in the kernel too, so tail calls of
 * kernel runs go where they go on our engines ({@code examples/c/tail_calls.c}: entry tail calls slot 0, then
 * slot 1; stage_one tail calls slot 2; stage_two returns 2).
 */
class KernelProgArrayTest {
    private static final byte[] PACKET = HexFormat.of().parseHex(KernelEngineTest.README_PACKET);

    private static Source tailCalls() {
        return Source.newBuilder("bpf", new File(KernelEngineTest.ROOT.toFile(), "examples/c/tail_calls.o")).buildLiteral();
    }

    /** r0 of entry after each host change of the prog array. */
    private static List<Long> play(String engine) {
        List<Long> results = new ArrayList<>();
        try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).build()) {
            Value module = context.eval(tailCalls());
            Value entry = module.getMember("entry");
            Value slots = module.getMember("jump_table");
            results.add(entry.execute((Object) PACKET).asLong());
            slots.removeArrayElement(2);
            results.add(entry.execute((Object) PACKET).asLong());
            slots.removeArrayElement(0);
            slots.setArrayElement(1, module.getMember("stage_two"));
            results.add(entry.execute((Object) PACKET).asLong());
            slots.setArrayElement(0, module.getMember("stage_one"));
            slots.setArrayElement(2, module.getMember("stage_one"));
            // entry -> stage_one -> stage_one -> ... until the tail-call limit: then stage_one returns 1.
            results.add(entry.execute((Object) PACKET).asLong());
            slots.setArrayElement(0, null);
            slots.removeArrayElement(1);
            results.add(entry.execute((Object) PACKET).asLong());
        }
        return results;
    }

    @Test
    void slotsSetAndEmptiedByTheHostBetweenRunsDispatchTheSameOnAllThreeEngines() {
        KernelEngineTest.assumeKernel();
        List<Long> interpreter = play("interpreter");
        assertEquals(List.of(2L, 1L, 2L, 1L, 0L), interpreter);
        assertEquals(interpreter, play("native"), "native against the interpreter");
        assertEquals(interpreter, play("kernel"), "kernel against the interpreter");
    }

    @Test
    void aSlotTheKernelRefusesFailsInOneLineAndKeepsItsProgram() {
        KernelEngineTest.assumeKernel();
        try (Context context = Context.newBuilder("bpf").option("bpf.Engine", "kernel").build()) {
            Value module = context.eval(tailCalls());
            // An XDP program in a prog array whose programs are tc classifiers: the kernel would refuse it, and the
            // program-type rule every engine applies (ProgramTypeRules) refuses it first, so the kernel is not asked.
            Value xdp = context.eval(Source.newBuilder("bpf", new File(KernelEngineTest.ROOT.toFile(), "examples/c/xdp_parser.o")).buildLiteral());
            Value slots = module.getMember("jump_table");
            PolyglotException e = assertThrows(PolyglotException.class, () -> slots.setArrayElement(0, xdp.getMember("xdp_parse")));
            assertTrue(e.isGuestException(), e.getMessage());
            assertTrue(e.getMessage().contains("update of prog_array map 'jump_table' at 0 refused: prog array 'jump_table' serves sched_cls programs, "
                            + "not 'xdp_parse' of type xdp"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            Value kept = slots.getArrayElement(0);
            assertNotNull(kept);
            assertEquals("stage_one", kept.getMember("name").asString());
            assertEquals(2, module.getMember("entry").execute((Object) PACKET).asLong(), "the kernel's slot 0 still holds stage_one");
        }
    }
}
