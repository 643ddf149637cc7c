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

class InspectCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return BpfCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static Path examples() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("examples/c"))) {
            dir = dir.getParent();
        }
        return dir.resolve("examples/c");
    }

    @Test
    void listsProgramsMapsAndGlobalData() {
        assertEquals(0, run("inspect", examples().resolve("global_data.o").toString()));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("license \"GPL\""), text);
        assertTrue(text.matches("(?s).*use_globals +section socket +type socket_filter +55 insns +functions: use_globals, letter_at\n.*"), text);
        assertTrue(text.contains("[3] .rodata.str1.1              4 bytes  read-only"), text);
    }

    @Test
    void listsMapAttributesAndInitialProgArraySlots() {
        assertEquals(0, run("inspect", examples().resolve("tail_calls.o").toString()));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("[0] jump_table             prog_array   key    4  value      4  max_entries        3  flags 0x0  initial {0=stage_one, 2=stage_two}"),
                        text);
    }

    @Test
    void showsEachProgramsStatusAndTheTypeItsSectionNames() {
        assertEquals(0, run("inspect", examples().resolve("loader/legacy_project.o").toString()));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.matches("(?s).*tail_7 +section 2/7 +type \\(unnamed\\) +17 insns.*"), text);
        assertTrue(text.matches("(?s).*trace_write +section kprobe/ksys_write +type kprobe +23 insns.*"), text);
        String status = text.substring(text.indexOf("status:\n"));
        assertEquals("""
                        status:
                          xdp_prog1                verified
                          bpf_prog1                verified
                          tail_7                   refused: legacy_project.o: function 'tail_7': section '2/7' names no program type libbpf knows; give the type with --context (bpf.Context): raw, socket, tc or xdp
                          trace_write              refused: legacy_project.o: function 'trace_write': section 'kprobe/ksys_write' makes it a kprobe program (BPF_PROG_TYPE_KPROBE), which TruffleBPF cannot run: it runs socket_filter, sched_cls and xdp programs
                          no_bounds_check          refused: legacy_project.o: legacy_project.c:96: function 'no_bounds_check': insn 1 'ldxb %r2, [%r1+12]': invalid access to packet, off=12 size=1, R1(id=0,off=0,r=0): R1 offset is outside of the packet
                        """, status);
    }

    @Test
    void showsTheProgramsTheLoaderRefusedWithTheirReasons() {
        assertEquals(0, run("inspect", examples().resolve("loader/old_toolchain.o").toString()));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("\n  good_len                 verified\n"), text);
        assertTrue(text.contains("\n  clears                   refused: old_toolchain.o: function 'clears': insn 5 'call local -1': calls undefined function 'memset'"),
                        text);
        assertTrue(text.contains("\n  queues                   refused: old_toolchain.o: function 'queues': insn 4 'lddw %r1, 0x0': uses map 'pending' of type queue"
                        + " (BPF_MAP_TYPE_QUEUE), which TruffleBPF does not support\n"), text);
    }

    @Test
    void theContextOptionTypesANumberedSection() {
        assertEquals(0, run("inspect", examples().resolve("loader/legacy_project.o").toString(), "--context", "tc"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("\n  tail_7                   verified\n"), text);
    }

    @Test
    void disassemblesWithFunctionLabelsAndMapNames() {
        assertEquals(0, run("inspect", examples().resolve("bpf2bpf.o").toString(), "--disasm"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("program tc_main (section tc):\ntc_main:\n     0: ldxw %r1, [%r1]\n"), text);
        assertTrue(text.contains("     2: call local +1    ; sum_of_squares\n"), text);
        assertTrue(text.contains("square:\n    11: mov %r0, %r1\n"), text);
    }

    @Test
    void badObjectIsOneLineOnStderr(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.o");
        Files.write(bad, new byte[]{0x7f, 'E', 'L', 'F', 1, 1});
        assertEquals(BpfCommand.EXIT_REJECTED, run("inspect", bad.toString()));
        assertEquals("bad.o: not a 64-bit ELF file (class 1); BPF objects are ELF64\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void missingFileArgumentIsAUsageError() {
        assertEquals(BpfCommand.EXIT_USAGE, run("inspect"));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("bpf inspect: missing FILE"));
    }
}
