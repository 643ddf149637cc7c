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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bpf run --maps [--all]} reads as {@code bpftool map dump} does: values decoded with the object's BTF
 * (global variables by name, structs by field, enums by name, bitfields), only occupied slots unless
 * {@code --all}; and r0 names the XDP or tc action.
 */
class MapOutputTest {
    /** The README's packet: Ethernet, IPv4 10.0.0.1 to 10.0.0.2, TCP SYN to port 23, 54 bytes. */
    private static final String TELNET_SYN = "00000000000200000000000108004500002800000000400600000a0000010a00000230390017000000000000000050020000ffff0000";

    @TempDir Path dir;

    private record Result(int exit, String out, String err) {
    }

    private static Result bpf(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = BpfCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String example(String name) {
        Path here = Path.of("").toAbsolutePath();
        while (here != null && !Files.isDirectory(here.resolve("examples/c"))) {
            here = here.getParent();
        }
        assertTrue(here != null, "examples/c not found above the working directory");
        return here.resolve("examples/c").resolve(name).toString();
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    @Test
    void globalDataShowsEachVariableByNameWithArraysAsLists() {
        Result r = bpf("run", example("global_data.o"), "--maps", "--packet", "0000000000000000000000000800");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("map .bss (global data):\n  calls = 1\n  total = 45\n"), r.out());
        assertTrue(r.out().contains("map .data (global data):\n  multiplier = 3\n  offsets = [1, 2, 3, 4]\n"), r.out());
        assertTrue(r.out().contains("map .rodata (global data):\n  limit = 100\n  table = [10, 20, 30]\n"), r.out());
        // No BTF describes the string section: its bytes in hex ("bpf" and its NUL).
        assertTrue(r.out().contains("map .rodata.str1.1 (global data):\n  62 70 66 00\n"), r.out());
    }

    @Test
    void aVariableTheCompilerShrankBelowItsBtfTypeIsNamedWithWhyItIsNotShown() {
        // clang keeps only the used element of the static 'hidden[2]' but leaves its BTF type u32[2].
        Result r = bpf("run", example("global_data.o"), "--maps", "--packet", "0000000000000000000000000800");
        assertTrue(r.out().contains("  hidden.0 = ? (BTF places 8 bytes at offset 20, past the section's 24)\n"), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"interpreter", "native"})
    void structKeysAndValuesShowTheirFieldsWithEnumsByNameAndBitfieldsAndTheTcActionByName(String engine) {
        Result r = bpf("run", example("flow_stats.o"), "--maps", "--packet", TELNET_SYN, "--engine", engine);
        assertEquals(0, r.exit(), r.toString());
        assertEquals("""
                        r0 = 2 (0x2) TC_ACT_SHOT
                        map flows (hash, 1 entry):
                          {saddr: 167772161, daddr: 167772162, dport: 23, proto: 6, pad: 0} => {packets: 1, bytes: 54, last: VERDICT_DROP, syn: 1, fin: 0, ttl: 64}
                        map .bss (global data):
                          totals = {packets: 1, dropped: 1}
                        """, r.out());
    }

    @Test
    void anArrayShowsOnlySlotsThatAreNotZeroUnlessAllIsGiven() throws IOException {
        String program = """
                        .map counts array key=4 value=8 entries=4
                            stw [%r10-4], 2
                            lddw %r1, map:counts
                            mov %r2, %r10
                            add %r2, -4
                            call map_lookup_elem
                            jeq %r0, 0, out
                            stdw [%r0], 42
                        out:
                            mov %r0, 0
                            exit
                        """;
        String file = write("counts.s", program).toString();
        Result occupied = bpf("run", file, "--maps");
        assertEquals(0, occupied.exit(), occupied.toString());
        assertEquals("r0 = 0 (0x0)\nmap counts (array, 4 slots; 1 is not zero; --all shows every slot):\n  [2] = 42 (0x2a)\n", occupied.out());
        Result all = bpf("run", file, "--maps", "--all");
        assertEquals("r0 = 0 (0x0)\nmap counts (array, 4 slots):\n  [0] = 0 (0x0)\n  [1] = 0 (0x0)\n  [2] = 42 (0x2a)\n  [3] = 0 (0x0)\n", all.out());
    }

    @Test
    void aProgArrayShowsItsSetSlotsByProgramNameAndItsEmptySlotsOnlyWithAll() {
        String file = example("tail_calls.o");
        Result set = bpf("run", file, "--program", "entry", "--maps", "--packet", TELNET_SYN);
        assertEquals(0, set.exit(), set.toString());
        assertTrue(set.out().contains("prog array jump_table (3 slots; 2 set; --all shows every slot):\n  [0] = program stage_one\n  [2] = program stage_two\n"),
                        set.out());
        Result all = bpf("run", file, "--program", "entry", "--maps", "--all", "--packet", TELNET_SYN);
        assertTrue(all.out().contains("prog array jump_table (3 slots):\n  [0] = program stage_one\n  [1] = (empty)\n  [2] = program stage_two\n"), all.out());
    }

    @Test
    void allWithoutMapsIsAUsageError() throws IOException {
        Result r = bpf("run", write("zero.s", "mov %r0, 0\nexit\n").toString(), "--all");
        assertEquals(BpfCommand.EXIT_USAGE, r.exit(), r.toString());
        assertEquals("bpf run: --all goes with --maps (it shows every slot of the maps printed)", r.err().lines().findFirst().orElse(""));
    }

    @Test
    void tcActionsAreNamedFromUnspecToTrapAndOtherValuesAreLeftBare() throws IOException {
        String[][] cases = {{"-1", "r0 = -1 (0xffffffffffffffff) TC_ACT_UNSPEC"}, {"0", "r0 = 0 (0x0) TC_ACT_OK"}, {"2", "r0 = 2 (0x2) TC_ACT_SHOT"},
                        {"7", "r0 = 7 (0x7) TC_ACT_REDIRECT"}, {"8", "r0 = 8 (0x8) TC_ACT_TRAP"}, {"9", "r0 = 9 (0x9)"}};
        for (String[] c : cases) {
            Result r = bpf("run", write("tc.s", "mov %r0, " + c[0] + "\nexit\n").toString(), "--context", "tc", "--packet", TELNET_SYN);
            assertEquals(0, r.exit(), r.toString());
            assertEquals(c[1] + "\n", r.out());
        }
    }

    @Test
    void xdpActionsAreNamedAndASocketFilterReturnHasNoName() throws IOException {
        Result xdp = bpf("run", write("xdp.s", "mov %r0, 3\nexit\n").toString(), "--context", "xdp", "--packet", TELNET_SYN);
        assertEquals("r0 = 3 (0x3) XDP_TX\n", xdp.out());
        Result socket = bpf("run", write("socket.s", "mov %r0, 2\nexit\n").toString(), "--context", "socket", "--packet", TELNET_SYN);
        assertEquals("r0 = 2 (0x2)\n", socket.out());
    }

    @Test
    void aStackTraceMapShowsEachStackAsItsIpsInnermostFirst() throws IOException {
        Path registers = dir.resolve("regs.bin");
        Files.write(registers, new byte[] {1, 0, 0, 0, 0, 0, 0, 0});
        Result r = bpf("run", example("stack_sampler.o"), "--context", "raw", "--data", registers.toString(), "--maps");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().matches("(?s).*map stacks \\(stack_trace, 1 entry\\):\n  \\d+ \\(0x\\p{XDigit}+\\) => ips \\[19, 7, 3\\]\n.*"), r.out());
        assertTrue(r.out().contains("kernel_stack: "), r.out());
        assertTrue(r.out().contains("user_stack: -14} => 1"), r.out());
    }

    @Test
    void perfEventRecordsArePrintedWithTheirCpuAndBytes() {
        Result r = bpf("run", example("perf_logger.o"), "--packet", TELNET_SYN, "--maps");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("perf event array events: 1 record\n  cpu 0: 0a 00 00 01 0a 00 00 02 39 30 17 00 36 00 06 40 02 00 00 00\n"), r.out());
        assertTrue(r.out().contains("map counters (array, 6 slots; 1 is not zero; --all shows every slot):\n  [0] = 1\n"), r.out());
    }
}
