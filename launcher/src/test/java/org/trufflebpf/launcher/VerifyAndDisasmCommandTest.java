package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bpf verify} and {@code bpf disasm}: results on stdout, bad input as one line on stderr with exit 1. */
class VerifyAndDisasmCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return BpfCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static Path write(Path dir, String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    @Test
    void verifySaysWhenReadsAreProvenThroughTheInputsLength(@TempDir Path dir) throws IOException {
        Path file = write(dir, "sum.s", """
                        .program sum raw
                            mov %r0, 0
                            jeq %r2, 0, +7
                            mov %r3, 0
                            mov %r5, %r1
                            add %r5, %r3
                            ldxb %r5, [%r5+0]
                            add %r0, %r5
                            add %r3, 1
                            jgt %r2, %r3, -6
                            exit
                        """);
        assertEquals(0, run("verify", file.toString()), stderr());
        assertTrue(stdout().endsWith("\n  1 read proven through the input's length: the program runs over input bytes only (r1 the input, r2 its length),"
                        + " and is no tail call's target\n"), stdout());
    }

    @Test
    void verifyPrintsFunctionsStackDepthsAndTailCallSites(@TempDir Path dir) throws IOException {
        Path file = write(dir, "tc.s", """
                        .map jmp_table prog_array key=4 value=4 entries=2
                        .program entry socket
                            stdw [%r10-16], 0
                            call local sub
                            mov %r0, 0
                            exit
                        sub:
                            lddw %r2, map:jmp_table
                            mov %r3, 1
                            call tail_call
                            mov %r0, 1
                            exit
                        """);
        assertEquals(0, run("verify", file.toString()), stderr());
        assertEquals("""
                        entry: ok, 9 instructions, 2 functions, stack 64 bytes on the deepest call chain
                          entry                    insns 0..3  stack 16  tail call reachable
                          sub                      insns 4..9  stack 0  tail call reachable
                          tail call at insn 7: direct (map jmp_table, key 1)
                        """, stdout());
    }

    @Test
    void verifyRejectsWithOneLineNamingFunctionInstructionAndReason(@TempDir Path dir) throws IOException {
        Path file = write(dir, "oob.s", "ldxdw %r2, [%r10-520]\nmov %r0, 0\nexit\n");
        assertEquals(1, run("verify", file.toString()));
        assertEquals("", stdout());
        assertEquals(file + ": function 'oob': insn 0 'ldxdw %r2, [%r10-520]': stack access out of bounds (frame is 512 bytes)\n", stderr());
    }

    @Test
    void verifyWithLogPrintsTheFailingPathsRegisterStatesBeforeTheRejection(@TempDir Path dir) throws IOException {
        Path file = write(dir, "pkt.s", ".program pkt xdp\nldxw %r2, [%r1]\nmov %r0, 2\nldxb %r0, [%r2]\nexit\n");
        assertEquals(1, run("verify", file.toString(), "--log"));
        assertEquals("""
                        func 'pkt'
                        0: R1=ctx() R10=fp0
                        0: (61) ldxw %r2, [%r1] ; R1=ctx() R2=pkt(r=0) R10=fp0
                        1: (b7) mov %r0, 2 ; R0=2 R1=ctx() R2=pkt(r=0) R10=fp0
                        2: (71) ldxb %r0, [%r2]
                        invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0): R2 offset is outside of the packet
                        """, stdout());
        assertTrue(stderr().endsWith("insn 2 'ldxb %r0, [%r2]': invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0): R2 offset is outside of the packet\n"),
                        stderr());
    }

    @Test
    void disasmListsAssemblyThatReadsBack(@TempDir Path dir) throws IOException {
        Path file = write(dir, "loop.s", "mov %r0, 0\nagain: add %r0, 1\njlt %r0, 10, again\nexit\n");
        assertEquals(0, run("disasm", file.toString()), stderr());
        assertEquals("""
                        .program loop raw
                            mov %r0, 0                               # 0
                        again:
                            add %r0, 1                               # 1
                            jlt %r0, 10, -2                          # 2
                            exit                                     # 3
                        """, stdout());
    }

    @Test
    void disasmOfBadBytecodeNamesTheInstruction(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.bin");
        Files.write(file, new byte[] {(byte) 0xb7, 0x0b, 0, 0, 0, 0, 0, 0});
        assertEquals(1, run("disasm", file.toString()));
        assertEquals(file + ": insn 0 'mov %r11, 0': invalid destination register r11\n", stderr());
    }

    @Test
    void aMissingFileAndAnUnknownCommandAreReportedWithoutATrace() {
        assertEquals(1, run("verify", "no/such/file.s"));
        assertEquals("no/such/file.s: no such file\n", stderr());
        err.reset();
        assertEquals(2, run("frobnicate"));
        assertTrue(stderr().startsWith("bpf: unknown command 'frobnicate'"), stderr());
    }

    @Test
    void anUnknownProgramNameIsAnError(@TempDir Path dir) throws IOException {
        Path file = write(dir, "one.s", "mov %r0, 0\nexit\n");
        assertEquals(1, run("verify", file.toString(), "--program", "other"));
        assertEquals(file + ": no program named 'other' (or not unique in its section)\n", stderr());
    }
}
