package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bpf run}: prints r0, reports bad programs and bad accesses as one line with a non-zero exit. */
class RunCommandTest {
    @TempDir Path dir;

    private record Result(int exit, String out, String err) {
    }

    private static Result bpf(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = BpfCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    @Test
    void aRefusedProgramSaysWhyAndItsSiblingsRunBySectionOrName() {
        String object = Path.of("..", "examples", "c", "loader", "legacy_project.o").toAbsolutePath().normalize().toString();
        String udp = "00000000000200000000000108004500002800000000401100000a0000010a00000230390017000000000000000050020000ffff0000";
        Result refused = bpf("run", object, "--program", "kprobe/ksys_write", "--packet", udp);
        assertEquals(BpfCommand.EXIT_REJECTED, refused.exit(), refused.toString());
        assertEquals("legacy_project.o: function 'trace_write': section 'kprobe/ksys_write' makes it a kprobe program (BPF_PROG_TYPE_KPROBE), which"
                        + " TruffleBPF cannot run: it runs socket_filter, sched_cls and xdp programs\n", refused.err());
        Result sibling = bpf("run", object, "--program", "xdp1", "--packet", udp);
        assertEquals(0, sibling.exit(), sibling.toString());
        assertEquals("r0 = 1 (0x1) XDP_DROP\n", sibling.out());
        Result first = bpf("run", object, "--packet", udp);
        assertEquals(sibling, first, "without --program the first program that loaded runs");
        Result numbered = bpf("run", object, "--program", "2/7", "--context", "tc", "--packet", udp);
        assertEquals("r0 = 0 (0x0) TC_ACT_OK\n", numbered.out(), numbered.toString());
    }

    @Test
    void aRedirectThroughAMapPrintsTheMapAndKey() {
        String object = Path.of("..", "examples", "c", "redirect_targets.o").toAbsolutePath().normalize().toString();
        // struct command: map 0 (the devmap tx_ports), key 2, flags BPF_F_BROADCAST (redirects with no entry set).
        Result r = bpf("run", object, "--packet", "00000000" + "02000000" + "0800000000000000");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("r0 = 4 (0x4) XDP_REDIRECT\nredirect: map 'tx_ports' key 2 (flags 0x8)\n", r.out());
    }

    @Test
    void printsR0OfAnAssemblyProgram() throws IOException {
        Result r = bpf("run", write("three.s", "mov %r0, 1\nadd %r0, 2\nexit\n").toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals("r0 = 3 (0x3)\n", r.out());
    }

    @Test
    void runsAProgramOverDataFromAFile() throws IOException {
        Path data = dir.resolve("input.bin");
        Files.write(data, new byte[] {5, 0, 0, 0, 7});
        Result r = bpf("run", write("sum.s", "ldxb %r0, [%r1]\nldxb %r2, [%r1+4]\nadd %r0, %r2\nexit\n").toString(), "--data", data.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals("r0 = 12 (0xc)\n", r.out());
    }

    @Test
    void xdpProgramOverAPacketPrintsItsAction() throws IOException {
        String program = """
                        .program pass xdp
                        ldxw %r2, [%r1+0]
                        ldxw %r3, [%r1+4]
                        mov %r0, %r3
                        sub %r0, %r2
                        jne %r0, 14, drop
                        mov %r0, 2
                        exit
                        drop:
                        mov %r0, 1
                        exit
                        """;
        Result r = bpf("run", write("xdp.s", program).toString(), "--packet", "ffffffffffff 000000000000 0800");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("r0 = 2 (0x2) XDP_PASS\n", r.out());
    }

    @Test
    void printsMapsAfterTheRun() throws IOException {
        String program = ".map counts array key=4 value=8 entries=1\nlddw %r1, map_value:counts+0\nstdw [%r1], 42\nmov %r0, 0\nexit\n";
        Result r = bpf("run", write("maps.s", program).toString(), "--maps");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("map counts (array, 1 slot; 1 is not zero; --all shows every slot):\n  [0] = 42 (0x2a)\n"), r.out());
    }

    @Test
    void aProgramForgingARingBufferHeaderEndsAtOnceWithAClearError() throws IOException {
        // The store at [record - 8] would rewrite the record's length; only the payload is the program's. The
        // verifier refuses it ('invalid access to memory'); unverified, the engines must stop it at run time.
        String program = """
                        .map events ringbuf key=0 value=0 entries=4096
                        lddw %r1, map:events
                        mov %r2, 16
                        mov %r3, 0
                        call ringbuf_reserve
                        jeq %r0, 0, out
                        mov %r6, %r0
                        stw [%r6-8], 0x3fffffff
                        mov %r1, %r6
                        mov %r2, 0
                        call ringbuf_submit
                        out:
                        mov %r0, 0
                        exit
                        """;
        for (String engine : new String[] {"interpreter", "native"}) {
            Result r = bpf("run", write("forge.s", program).toString(), "--maps", "--engine", engine, "--unverified");
            assertEquals(1, r.exit(), r.toString());
            assertEquals(1, r.err().lines().count(), r.err());
            assertEquals("forge.s: function 'forge': insn 7 'stw [%r6-8], 1073741823': write of 4 bytes at ring buffer 'events' record-8 is out of "
                            + "bounds: ring buffer 'events' record is 16 bytes\n", r.err());
        }
    }

    @Test
    void aDirectoryIsNamedAsNoProgram() {
        Result r = bpf("run", dir.toString());
        assertEquals(1, r.exit(), r.toString());
        assertEquals(dir + ": is a directory, not a program\n", r.err());
    }

    @Test
    void anEndlessDeviceAsProgramOrDataIsOneLineNamingTheFileAndItsLimit() throws IOException {
        Result program = bpf("run", "/dev/zero");
        assertEquals(1, program.exit(), program.toString());
        assertEquals("/dev/zero: larger than the limit of 64 MiB for a program\n", program.err());
        Path one = write("one.s", "mov %r0, 1\nexit\n");
        Result data = bpf("run", one.toString(), "--data", "/dev/zero");
        assertEquals(1, data.exit(), data.toString());
        assertEquals("/dev/zero: larger than the limit of 16 MiB for data\n", data.err());
    }

    @Test
    void aProgramFileOverTheLimitIsRefusedBeforeItIsRead() throws IOException {
        Path huge = dir.resolve("huge.s");
        try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
            // Sparse: the size is what counts, no 65 MiB are written.
            file.setLength((64L << 20) + 1);
        }
        Result r = bpf("run", huge.toString());
        assertEquals(1, r.exit(), r.toString());
        assertEquals(huge + ": larger than the limit of 64 MiB for a program\n", r.err());
    }

    @Test
    void aLimitThatIsNoPositiveNumberIsAUsageErrorNamingTheFlag() throws IOException {
        Path program = write("one.s", "mov %r0, 1\nexit\n");
        for (String limit : new String[] {"abc", "-1", "0"}) {
            Result r = bpf("run", program.toString(), "--limit", limit);
            assertEquals(2, r.exit(), r.toString());
            assertTrue(r.err().startsWith("bpf run: --limit takes a positive number, not '" + limit + "'\n"), r.err());
        }
    }

    @Test
    void badAccessIsOneLineWithNonZeroExit() throws IOException {
        // Without input r1 is a NULL input pointer: the verifier lets it through (pointer arithmetic), the run faults.
        Result r = bpf("run", write("bad.s", "add %r1, 64\nldxdw %r0, [%r1]\nexit\n").toString());
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("insn 1 'ldxdw %r0, [%r1") && r.err().contains("read of 8 bytes at 0x40"), r.err());
    }

    @Test
    void loadThroughANumberIsRejectedAtLoadInTheKernelsWords() throws IOException {
        Result r = bpf("run", write("number.s", "mov %r1, 64\nldxdw %r0, [%r1]\nexit\n").toString());
        assertEquals(1, r.exit(), r.toString());
        assertEquals("number.s: function 'number': insn 1 'ldxdw %r0, [%r1]': R1 invalid mem access 'scalar'\n", r.err());
    }

    @Test
    void unknownHelperIsRejectedAtLoadNamingIt() throws IOException {
        Result r = bpf("run", write("helper.s", "call 999\nexit\n").toString());
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("helper 999"), r.err());
    }

    @Test
    void conformanceFileRunsOverItsMemory() throws IOException {
        Path file = write("t.data", "-- asm\nldxh %r0, [%r1+1]\nexit\n-- mem\n00 34 12\n-- result\n0x1234\n");
        Result r = bpf("run", file.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals("r0 = 4660 (0x1234)\n", r.out());
    }

    @Test
    void aConformanceFileErrorNamesTheFilesOwnLineAsVerifyDoes() throws IOException {
        Path file = write("bad.data", "# a comment\n-- asm\nmov %r0, 1\nldxq %r0, %r1\nexit\n-- result\n0x1\n");
        Result run = bpf("run", file.toString());
        assertEquals(1, run.exit(), run.toString());
        assertEquals(file + ": line 4 'ldxq %r0, %r1': unknown mnemonic 'ldxq'\n", run.err());
        assertEquals(run.err(), bpf("verify", file.toString()).err());
    }

    @Test
    void aConformanceFileWithoutInstructionsIsOneLine() throws IOException {
        Result r = bpf("run", write("empty.data", "-- raw\n-- result\n0x0\n").toString());
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("empty.data") && r.err().contains("no instructions"), r.err());
    }

    @Test
    void writingR10IsRejectedAtLoad() throws IOException {
        Result r = bpf("run", write("r10.s", "mov %r10, 0\nexit\n").toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("insn 0 'mov %r10, 0'") && r.err().contains("r10"), r.err());
    }

    @Test
    void nativeEngineRunsOrReportsItsAbsenceCleanly() throws IOException {
        Result r = bpf("run", write("one.s", "mov %r0, 1\nexit\n").toString(), "--engine", "native");
        // Until jit-x64 registers its NativeEngineProvider, asking for it must fail cleanly, not crash.
        if (r.exit() != 0) {
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().contains("native engine"), r.err());
        } else {
            assertEquals("r0 = 1 (0x1)\n", r.out());
        }
    }

    @Test
    void unknownContextIsAUsageError() throws IOException {
        Result r = bpf("run", write("three.s", "mov %r0, 1\nexit\n").toString(), "--context", "nonsense");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("nonsense"), r.err());
    }

    @Test
    void forgedRingBufferHeaderEndsTheRunWithOneLine() throws IOException {
        String program = """
                        .map events ringbuf key=0 value=0 entries=4096
                        lddw %r1, map:events
                        mov %r2, 8
                        mov %r3, 0
                        call ringbuf_reserve
                        jeq %r0, 0, out
                        mov %r6, %r0
                        mov %r1, %r0
                        mov %r2, 0
                        call ringbuf_submit
                        stw [%r6-8], 0x3fffffff
                        out:
                        mov %r0, 0
                        exit
                        """;
        // Unverified: the verifier would refuse the store statically; the run-time defence is what is tested here.
        Result r = bpf("run", write("forge.s", program).toString(), "--maps", "--unverified");
        assertEquals(BpfCommand.EXIT_REJECTED, r.exit(), r.toString());
        assertEquals("", r.out(), "no records are printed from a run that failed");
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("forge.s") && r.err().contains("write of 4 bytes") && r.err().contains("not memory the program may access"), r.err());
    }
}
