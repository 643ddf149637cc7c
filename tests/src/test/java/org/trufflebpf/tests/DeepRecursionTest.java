package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trufflebpf.fuzz.Outcome;

/**
 * Unbounded recursion of an unverified program on a thread whose stack runs out before the frame limit: both
 * engines end with the same stack-overflow error and the JVM lives on. The native engine's checked code
 * compares the stack pointer with a limit above the JVM's guard and shadow zones before each call; without
 * it the recursion ran into the guard pages and the JVM died of SIGSEGV. Run in child JVMs with a small main
 * thread stack, so that a regression fails this test instead of ending the test run. (With a large stack
 * both stop at the frame limit: differential/unbounded_recursion_stops_at_the_frame_limit.s.)
 */
class DeepRecursionTest {
    private static final String PROGRAM = "src/test/resources/differential/unbounded_recursion_stops_at_the_frame_limit.s";
    /** Small enough that 272 frames of 512 bytes do not fit on either engine, large enough for the JVM to start. */
    private static final List<String> SMALL_STACK = List.of("-Xss256k");

    @Test
    void bothEnginesReportTheSameStackOverflowOnASmallThreadStack(@TempDir Path errorFiles) throws IOException, InterruptedException {
        ChildJvm.Result interpreter = ChildJvm.bpf(errorFiles, 120, SMALL_STACK, "run", PROGRAM, "--program", "main", "--unverified", "--engine", "interpreter");
        ChildJvm.Result nativeEngine = ChildJvm.bpf(errorFiles, 120, SMALL_STACK, "run", PROGRAM, "--program", "main", "--unverified", "--engine", "native");
        assertFalse(nativeEngine.crashed(), () -> "native run crashed the JVM:\n" + nativeEngine.tail());
        assertFalse(interpreter.crashed(), () -> "interpreter run crashed the JVM:\n" + interpreter.tail());
        assertTrue(interpreter.output().contains("Stack overflow"), interpreter::tail);
        assertEquals(Outcome.maskAddresses(interpreter.output()), Outcome.maskAddresses(nativeEngine.output()));
        assertEquals(1, nativeEngine.exitCode(), nativeEngine::tail);
        assertEquals(interpreter.exitCode(), nativeEngine.exitCode());
    }

    /**
     * A thread stack the recursion cannot fill to the frame limit on either engine: smaller than {@link #SMALL_STACK}, as
     * in this JVM HotSpot may have compiled the interpreter's loop, whose frames are then smaller.
     */
    private static final long SMALL_THREAD_STACK_BYTES = 192 * 1024;

    /** {@code source} in this JVM, on a thread of its own with a small stack: the error, or what the run did instead. */
    private static String errorOnASmallThreadStack(String engine, String source) throws InterruptedException {
        String[] outcome = new String[1];
        Thread small = new Thread(null, () -> {
            try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).option("bpf.Verify", "false").build()) {
                outcome[0] = "returned " + BpfRunner.evalAsm(context, source, "recursion.s").getMember("main").execute(new byte[0]);
            } catch (PolyglotException e) {
                outcome[0] = Outcome.maskAddresses(e.getMessage());
            } catch (Throwable t) {
                outcome[0] = "threw " + t;
            }
        }, "small-stack-" + engine, SMALL_THREAD_STACK_BYTES);
        small.start();
        small.join();
        return outcome[0];
    }

    /**
     * The test above in this JVM, for mutation testing, whose mutants live in the test JVM only. Without the
     * native engine's stack check the recursion stops at the frame limit here, or this JVM dies, which the test
     * above would report cleanly.
     */
    @Test
    void inThisJvmBothEnginesReportTheSameStackOverflowOnASmallThreadStack() throws IOException, InterruptedException {
        String source = Files.readString(Path.of(PROGRAM), StandardCharsets.UTF_8);
        Map<String, String> errors = new LinkedHashMap<>();
        for (String engine : new String[] {"interpreter", "native"}) {
            errors.put(engine, errorOnASmallThreadStack(engine, source));
        }
        assertTrue(errors.get("native").contains("Stack overflow"), errors::toString);
        assertEquals(errors.get("interpreter"), errors.get("native"));
    }
}
