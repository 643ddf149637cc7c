package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trufflebpf.jit.x64.JitDisassembler;

/** {@code bpf jit-dump}: native code under each BPF instruction, with prologue, epilogue and poke sites labelled. */
class JitDumpCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void needsCapstone() {
        assumeTrue(JitDisassembler.isAvailable(), "Capstone (libcapstone4) is not installed");
    }

    private int run(String... args) {
        return BpfCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static Path write(Path dir, String text) throws IOException {
        Path file = dir.resolve("tc.s");
        Files.writeString(file, text);
        return file;
    }

    private static final String TWO_SITES = """
                    .map jmp_table prog_array key=4 value=4 entries=2
                    .slot jmp_table 0 target
                    .program target socket
                        mov %r0, 7
                        exit
                    .program entry socket
                        mov %r6, %r1
                        lddw %r2, map:jmp_table
                        mov %r3, 0
                        call tail_call
                        mov %r1, %r6
                        lddw %r2, map:jmp_table
                        mov %r3, 1
                        call tail_call
                        mov %r0, 0
                        exit
                    """;

    @Test
    void showsThePrologueUnderTheFunctionTheEpilogueAtTheFirstExitAndTheSlowPathsAfter(@TempDir Path dir) throws IOException {
        assertEquals(0, run("jit-dump", write(dir, TWO_SITES).toString(), "--program", "target"), err.toString(StandardCharsets.UTF_8));
        String dump = out.toString(StandardCharsets.UTF_8);
        assertTrue(dump.startsWith("program target (checked code: what runs):\ntarget: (stack 0)\n  ; prologue\n"), dump);
        assertTrue(dump.matches("(?s).*0f 1f 44 00 00 +nop dword ptr \\[rax \\+ rax\\]\n.*66 90 +nop\n.*55 +push rbp\n.*48 89 e5 +mov rbp, rsp\n.*"), dump);
        // After the function's own code, the slow paths its checks branch to (budget, cancel flag).
        assertTrue(dump.matches("(?s).*  1: exit\n  ; epilogue\n.*c9 +leave\n.*c3 +ret\n  ; slow paths\n.*"), dump);
    }

    @Test
    void labelsEachDirectTailCallSiteWithItsCurrentState(@TempDir Path dir) throws IOException {
        assertEquals(0, run("jit-dump", write(dir, TWO_SITES).toString(), "--program", "entry"), err.toString(StandardCharsets.UTF_8));
        String dump = out.toString(StandardCharsets.UTF_8);
        // Slot 0 holds a program (state B: bypass nop5, target jmp); slot 1 is empty (state C: bypass jmp, target nop5).
        assertTrue(dump.matches("(?s).*; tailcall_bypass of jmp_table\\[0\\], state B \\(live\\)\n +\\p{XDigit}+: 0f 1f 44 00 00 .*"), dump);
        assertTrue(dump.matches("(?s).*; tailcall_target of jmp_table\\[0\\], state B \\(live\\)\n +\\p{XDigit}+: e9 .*"), dump);
        assertTrue(dump.matches("(?s).*; tailcall_bypass of jmp_table\\[1\\], state C \\(empty\\)\n +\\p{XDigit}+: e9 .*"), dump);
        assertTrue(dump.matches("(?s).*; tailcall_target of jmp_table\\[1\\], state C \\(empty\\)\n +\\p{XDigit}+: 0f 1f 44 00 00 .*"), dump);
        assertTrue(dump.contains("xor eax, eax"), "an entry that tail calls resets the counter: " + dump);
    }

    @Test
    void uncheckedShowsTheKernelsCodeWithoutChecksAndSaysSo(@TempDir Path dir) throws IOException {
        String program = "mov %r1, %r10\nadd %r1, -8\nstdw [%r1], 5\nldxdw %r0, [%r1]\nexit\n";
        assertEquals(0, run("jit-dump", write(dir, program).toString()), err.toString(StandardCharsets.UTF_8));
        String checked = out.toString(StandardCharsets.UTF_8);
        out.reset();
        assertEquals(0, run("jit-dump", write(dir, program).toString(), "--unchecked"), err.toString(StandardCharsets.UTF_8));
        String unchecked = out.toString(StandardCharsets.UTF_8);
        assertTrue(checked.startsWith("program tc (checked code: what runs):\n"), checked);
        assertTrue(unchecked.startsWith("program tc (unchecked code: the kernel's layout alone, never run through the Polyglot API):\n"), unchecked);
        // The store through r1 calls the check stub in checked code only.
        assertTrue(checked.contains("call "), checked);
        assertTrue(!unchecked.contains("call "), unchecked);
    }

    @Test
    void anUnknownContextTypeIsAUsageErrorNotAnInternalOne(@TempDir Path dir) throws IOException {
        assertEquals(BpfCommand.EXIT_USAGE, run("jit-dump", write(dir, "mov %r0, 0\nexit\n").toString(), "--context", "nonsense"));
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.startsWith("bpf jit-dump: ") && message.contains("nonsense") && !message.contains("\tat "), message);
    }

    @Test
    void aFileWithoutProgramsSaysSo(@TempDir Path dir) throws IOException {
        Path empty = write(dir, "");
        assertEquals(1, run("jit-dump", empty.toString()));
        assertEquals(empty + ": no programs\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aRejectedProgramIsOneLine(@TempDir Path dir) throws IOException {
        assertEquals(1, run("jit-dump", write(dir, "mov %r0, %r5\nexit\n").toString()));
        assertEquals(1, err.toString(StandardCharsets.UTF_8).lines().count(), err.toString(StandardCharsets.UTF_8));
    }
}
