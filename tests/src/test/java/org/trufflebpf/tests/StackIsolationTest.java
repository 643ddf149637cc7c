package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A program reaches only the stack frames of its own call chain, on both engines alike, whatever it does to
 * its pointers: the native engine keeps saved host registers and return addresses between frames, and none
 * of them may be read or written. Frames, r0 and r6-r9 start at zero. Programs run unverified, as a verifier
 * that misjudged a pointer would let them through. (The issue's own reproducer, writes that stay inside the
 * caller's frame, is {@code differential/launder_callee_writes_below_caller_frame.s}; the leaves here replace its own.)
 */
class StackIsolationTest {
    private static Context interpreter;
    private static Context nativeEngine;

    @BeforeAll
    static void setUp() {
        interpreter = BpfRunner.contextBuilder().option("bpf.Engine", "interpreter").option("bpf.Verify", "false").build();
        nativeEngine = BpfRunner.contextBuilder().option("bpf.Engine", "native").option("bpf.Verify", "false").build();
    }

    @AfterAll
    static void tearDown() {
        interpreter.close();
        nativeEngine.close();
    }

    private static long runOn(Context context, String asm) {
        return BpfRunner.evalAsm(context, asm, "stack.s").execute().asLong();
    }

    /** r0 on each engine; both must agree. */
    private static long run(String asm) {
        long interpreted = runOn(interpreter, asm);
        assertEquals(interpreted, runOn(nativeEngine, asm), "native engine differs from the interpreter");
        return interpreted;
    }

    /** The error on each engine, addresses masked; both must agree. */
    private static String failure(String asm) {
        String interpreted = maskAddresses(assertThrows(PolyglotException.class, () -> runOn(interpreter, asm)).getMessage());
        String nativeMessage = maskAddresses(assertThrows(PolyglotException.class, () -> runOn(nativeEngine, asm)).getMessage());
        assertEquals(interpreted, nativeMessage, "native engine differs from the interpreter");
        return interpreted;
    }

    private static String maskAddresses(String message) {
        return message.replaceAll("0x[0-9a-f]{6,}", "ADDR");
    }

    /** The reproducer, whose leaf writes inside its caller's frame. */
    private static final Path LAUNDERING_REPRODUCER = Path.of("src/test/resources/differential/launder_callee_writes_below_caller_frame.s");

    /**
     * The reproducer up to its {@code leaf:} label, for leaves of our own: main keeps r6-r9 across a call to
     * mid, which zeroes them and calls leaf with a pointer 8 bytes below its own r10.
     */
    private static final String CALLER_KEEPS_R6_TO_R9 = upToLeaf();

    private static String upToLeaf() {
        try {
            String reproducer = Files.readString(LAUNDERING_REPRODUCER, StandardCharsets.UTF_8);
            return reproducer.substring(0, reproducer.indexOf("\nleaf:\n") + "\nleaf:\n".length());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void writeJustBelowACallersFrameStopsAlikeOnBothEngines() {
        // mid's r10 - 8 - 512 is 8 bytes below its frame: on the native engine, where mid pushed r6-r9.
        assertEquals("stack.s: function 'leaf': insn 21 'stdw [%r1-512], 1000': write of 8 bytes above r10 is outside every stack frame",
                        failure(CALLER_KEEPS_R6_TO_R9 + """
                                            or %r1, 0
                                            stdw [%r1-512], 1000
                                            mov %r0, 0
                                            exit
                                        """));
    }

    @Test
    void anAccessThatStartsInACallersFrameAndEndsAboveItStopsAlike() {
        // The callee's pointer lies 4, 2 or 1 bytes below its caller's r10: the access's first bytes are the
        // caller's, its last ones what the native engine keeps above that frame (the saved rbp).
        for (String access : List.of("ldxdw %r0, [%r1+0]", "stdw [%r1+0], 1", "ldxw %r0, [%r1+2]", "stxh [%r1+3], %r1")) {
            String message = failure("mov %r1, %r10\nadd %r1, -4\ncall local callee\nexit\ncallee:\n" + access + "\nmov %r0, 0\nexit\n");
            assertTrue(message.contains("function 'callee'") && message.contains("outside every stack frame"), message);
        }
    }

    @Test
    void readsJustAboveTheEntryFrameAndBelowTheCurrentOneStopAlike() {
        assertEquals("stack.s: function 'stack': insn 0 'ldxdw %r0, [%r10+8]': read of 8 bytes above r10 is outside every stack frame",
                        failure("ldxdw %r0, [%r10+8]\nexit\n"));
        assertEquals("stack.s: function 'stack': insn 2 'ldxdw %r0, [%r1-8]': read of 8 bytes at r10-520 is outside the stack frame "
                        + "of 512 bytes",
                        failure("mov %r1, %r10\nadd %r1, -512\nldxdw %r0, [%r1-8]\nexit\n"));
    }

    @Test
    void accessesFromR10BelowTheFrameStopAlikeInEntryFunctionsAndSubprograms() {
        // A constant offset from r10 is checked at compile time when it lies inside the frame; one below it must
        // still be checked at run time, reads and writes of every size.
        for (String access : List.of("ldxb %r0, [%r10-513]", "ldxh %r0, [%r10-520]", "ldxw %r0, [%r10-1024]", "ldxdw %r0, [%r10-32768]",
                        "stb [%r10-513], 1", "sth [%r10-600], 1", "stw [%r10-4096], 1", "stdw [%r10-520], 1", "stxdw [%r10-528], %r1")) {
            String entry = "stxdw [%r10-8], %r1\n" + access + "\nmov %r0, 0\nexit\n";
            String refusal = (access.startsWith("ld") ? "read of " : "write of ") + "%d bytes at";
            String mnemonic = access.substring(0, access.indexOf(' '));
            int bytes = mnemonic.endsWith("dw") ? 8 : mnemonic.endsWith("w") ? 4 : mnemonic.endsWith("h") ? 2 : 1;
            String inEntry = failure(entry);
            assertTrue(inEntry.contains("function 'stack'") && inEntry.contains(refusal.formatted(bytes)), inEntry);
            String inSubprogram = failure("stxdw [%r10-16], %r1\ncall local sub\nexit\nsub:\nstxdw [%r10-8], %r1\n" + access + "\nmov %r0, 0\nexit\n");
            assertTrue(inSubprogram.contains("function 'sub'") && inSubprogram.contains(refusal.formatted(bytes)), inSubprogram);
        }
    }

    @Test
    void aSmallFramesDeepestSlotReadsZeroAfterASiblingCallFilledIt() {
        // dirty and reader are called from the same place, so their frames lie on the same bytes; reader's frame
        // (64 bytes: cleared by unrolled stores) must read zero through its deepest slot too, unverified (checked
        // code) and verified (the verifier lets a privileged program read unwritten stack, and unchecked code then
        // clears the frame of the function that does).
        String program = """
                        call local dirty
                        call local reader
                        exit
                        dirty:
                        lddw %r1, 0x5e5e5e5e5e5e5e5e
                        stxdw [%r10-8], %r1
                        stxdw [%r10-32], %r1
                        stxdw [%r10-56], %r1
                        stxdw [%r10-64], %r1
                        mov %r0, 0
                        exit
                        reader:
                        ldxdw %r0, [%r10-64]
                        ldxdw %r1, [%r10-8]
                        or %r0, %r1
                        exit
                        """;
        assertEquals(0, run(program), "unverified");
        try (Context verifiedInterpreter = BpfRunner.contextBuilder().option("bpf.Engine", "interpreter").build();
                        Context verifiedNative = BpfRunner.contextBuilder().option("bpf.Engine", "native").build()) {
            assertEquals(0, runOn(verifiedInterpreter, program), "verified, interpreter");
            assertEquals(0, runOn(verifiedNative, program), "verified, native");
        }
    }

    @Test
    void everyUnwrittenFrameByteReadsZero() {
        // A frame the JVM (native) or an earlier run (interpreter) used before: every byte of it starts at 0.
        StringBuilder asm = new StringBuilder("mov %r0, 0\n");
        for (int offset = 8; offset <= 512; offset += 8) {
            asm.append("ldxdw %r1, [%r10-").append(offset).append("]\nor %r0, %r1\n");
        }
        asm.append("exit\n");
        // One subprogram fills its frame with ones and returns; the next one at the same depth must see zeros.
        String dirty = "call local fill\ncall local check\nexit\nfill:\n" + fillFrame() + "mov %r0, 0\nexit\ncheck:\n" + asm;
        assertEquals(0, run(asm.toString()));
        assertEquals(0, run(dirty));
    }

    private static String fillFrame() {
        StringBuilder asm = new StringBuilder();
        for (int offset = 8; offset <= 512; offset += 8) {
            asm.append("stdw [%r10-").append(offset).append("], -1\n");
        }
        return asm.toString();
    }

    @Test
    void registersAProgramNeverWroteReadZeroAtEntryAndInSubprograms() {
        // r3-r9 at entry would show the run context's address and the JVM's callee-saved registers (r15 is
        // its current thread) on the native engine if they were not cleared.
        for (String register : List.of("%r0", "%r3", "%r4", "%r5", "%r6", "%r7", "%r8", "%r9")) {
            assertEquals(0, run("mov %r0, " + register + "\nexit\n"), register + " at entry");
        }
        String subprogramReadsR6ToR9 = """
                        mov %r6, 6
                        mov %r7, 7
                        mov %r8, 8
                        mov %r9, 9
                        call local sub
                        exit
                    sub:
                        mov %r0, %r6
                        or %r0, %r7
                        or %r0, %r8
                        or %r0, %r9
                        exit
                    """;
        assertEquals(0, run(subprogramReadsR6ToR9));
    }

    @Test
    void aHelperCalledThroughCallxReadsTheProgramsStackAsADirectCallDoes() {
        // trace_printk's format on the stack, the helper's id in a register; in a subprogram too.
        String body = """
                        stw [%r10-8], 0x0a6968
                        mov %r1, %r10
                        add %r1, -8
                        mov %r2, 4
                        mov %r3, helper:trace_printk
                        call %r3
                        """;
        assertEquals(3, run(body + "exit\n"));
        assertEquals(3, run("call local sub\nexit\nsub:\n" + body + "exit\n"));
    }

    @Test
    void aHelperGivenAPointerBesideAFrameRefusesIt() {
        // trace_printk reads its format string: 16 bytes starting 8 below the 512-byte frame's bottom.
        String message = failure("""
                        mov %r1, %r10
                        add %r1, -520
                        mov %r2, 16
                        call trace_printk
                        exit
                        """);
        assertEquals("stack.s: function 'stack': insn 3 'call 6': trace_printk format: read of 16 bytes at r10-520 is outside the "
                        + "stack frame of 512 bytes", message);
    }
}
