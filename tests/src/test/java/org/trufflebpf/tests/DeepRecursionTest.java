package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

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
}
