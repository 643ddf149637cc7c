package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --json}: one JSON document on stdout that a parser reads back with the values the text shows; errors stay one line on stderr. */
class JsonOutputTest {
    @TempDir Path dir;

    private record Result(int exit, String out, String err) {
        /** stdout parsed, after checking it is one document on one line. */
        Object json() {
            assertEquals(1, out.lines().count(), "one line of JSON: " + this);
            return TestJson.parse(out.strip());
        }
    }

    private static Result bpf(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = BpfCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String example(String name) {
        return Path.of("..", "examples", "c", name).toAbsolutePath().normalize().toString();
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    @Test
    void runGivesR0TheActionAndTraceOutputAsFieldsNotMixedIntoStdout() throws IOException {
        Path program = write("printk.s", """
                        lddw %r1, 0x0a64253d78
                        stxdw [%r10-8], %r1
                        mov %r1, %r10
                        add %r1, -8
                        mov %r2, 6
                        mov %r3, 42
                        call trace_printk
                        mov %r0, 7
                        exit
                        """);
        Result r = bpf("run", program.toString(), "--json");
        assertEquals(0, r.exit(), r.toString());
        Object json = r.json();
        assertEquals(7L, TestJson.at(json, "r0"));
        assertEquals("raw", TestJson.at(json, "type"));
        assertEquals(null, TestJson.at(json, "action"));
        assertEquals(List.of("x=42"), TestJson.at(json, "trace"));
    }

    @Test
    void runMapsAreRecordsWithBtfDecodedEntriesAndTheTcActionByName() {
        String telnetSyn = "00000000000200000000000108004500002800000000400600000a0000010a00000230390017000000000000000050020000ffff0000";
        Result r = bpf("run", example("flow_stats.o"), "--maps", "--packet", telnetSyn, "--json");
        assertEquals(0, r.exit(), r.toString());
        Object json = r.json();
        assertEquals(2L, TestJson.at(json, "r0"));
        assertEquals("TC_ACT_SHOT", TestJson.at(json, "action"));
        assertEquals("flows", TestJson.at(json, "maps", 0, "name"));
        assertEquals("hash", TestJson.at(json, "maps", 0, "type"));
        assertEquals("{saddr: 167772161, daddr: 167772162, dport: 23, proto: 6, pad: 0}", TestJson.at(json, "maps", 0, "entries", 0, "key"));
        assertEquals("{packets: 1, bytes: 54, last: VERDICT_DROP, syn: 1, fin: 0, ttl: 64}", TestJson.at(json, "maps", 0, "entries", 0, "value"));
    }

    @Test
    void globalDataVariablesAreEntriesByNameAndArraysOnlyOccupiedSlotsUnlessAll() {
        Result r = bpf("run", example("global_data.o"), "--maps", "--packet", "0000000000000000000000000800", "--json");
        assertEquals(0, r.exit(), r.toString());
        List<?> maps = (List<?>) TestJson.at(r.json(), "maps");
        Map<?, ?> bss = maps.stream().map(m -> (Map<?, ?>) m).filter(m -> ".bss".equals(m.get("name"))).findFirst().orElseThrow();
        assertEquals("global_data", bss.get("type"));
        assertEquals(List.of(Map.of("key", "calls", "value", "1"), Map.of("key", "total", "value", "45")), bss.get("entries"));
    }

    @Test
    void pcapRunGivesVerdictCountsAndMaps() {
        Result r = bpf("run", example("pcap_xdp_protocols.o"), "--pcap", PcapReaderTest.capture("mixed.pcapng").toString(), "--json");
        assertEquals(0, r.exit(), r.toString());
        Object json = r.json();
        assertEquals(24L, TestJson.at(json, "packets"));
        assertEquals(Map.of("XDP_DROP", 2L, "XDP_PASS", 19L, "XDP_TX", 3L), TestJson.at(json, "verdicts"));
        assertEquals(List.of(), TestJson.at(json, "differences"));
        List<?> entries = (List<?>) TestJson.at(json, "maps", 0, "entries");
        assertTrue(entries.contains(Map.of("key", "2", "value", "{packets: 9, bytes: 928}")), entries.toString());
    }

    @Test
    void verifyAndInspectGiveEachProgramsVerdict() {
        Result verify = bpf("verify", example("flow_stats.o"), "--json");
        assertEquals(0, verify.exit(), verify.toString());
        assertEquals(true, TestJson.at(verify.json(), "programs", 0, "accepted"));
        Result inspect = bpf("inspect", example("flow_stats.o"), "--json");
        assertEquals(0, inspect.exit(), inspect.toString());
        Object json = inspect.json();
        assertEquals("verified", TestJson.at(json, "status", 0, "status"));
        assertEquals(TestJson.at(json, "status", 0, "name"), TestJson.at(json, "programs", 0, "name"));
        assertEquals("flows", TestJson.at(json, "maps", 0, "name"));
    }

    @Test
    void errorsInJsonModeAreOneLineOnStderrWithTheSameExitCode() throws IOException {
        Path bad = write("bad.s", "mov %r0, 1\nldxdw %r0, [%r1+100]\nexit\n");
        Result run = bpf("run", bad.toString(), "--json");
        Result text = bpf("run", bad.toString());
        assertEquals(text.exit(), run.exit());
        assertEquals(BpfCommand.EXIT_REJECTED, run.exit(), run.toString());
        assertEquals("", run.out());
        assertEquals(text.err(), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
        Result usage = bpf("run", "--json");
        assertEquals(BpfCommand.EXIT_USAGE, usage.exit());
        assertEquals("", usage.out());
    }

    @Test
    void benchGivesEachEnginesRunsAndInstructionCounts() throws IOException {
        Path program = write("loop.s", "mov %r0, 0\nmov %r1, 10\nloop:\nadd %r0, 1\njne %r0, %r1, loop\nexit\n");
        Result r = bpf("bench", program.toString(), "--warmup", "0", "--seconds", "0.05", "--json");
        assertEquals(0, r.exit(), r.toString());
        Object json = r.json();
        assertEquals("interpreter", TestJson.at(json, "results", 0, "engine"));
        assertEquals("native", TestJson.at(json, "results", 1, "engine"));
        for (int i = 0; i < 2; i++) {
            // 2 moves, then 10 rounds of add and jump, then exit.
            assertEquals(23L, TestJson.at(json, "results", i, "insns_per_run"));
            assertTrue((Long) TestJson.at(json, "results", i, "runs") > 0, r.out());
            assertTrue(((Number) TestJson.at(json, "results", i, "ns_per_run")).doubleValue() > 0, r.out());
        }
    }

    @Test
    void fuzzGivesTheCampaignsCountsWithoutTheKernel() {
        Result r = bpf("fuzz", "--context", "socket", "--engines", "interpreter,native", "--count", "10", "--seed", "3", "--json");
        assertEquals(0, r.exit(), r.toString());
        Object json = r.json();
        assertEquals(10L, TestJson.at(json, "programs"));
        assertEquals(List.of(), TestJson.at(json, "divergences"));
        assertEquals(List.of(), TestJson.at(json, "crashes"));
        assertEquals(0L, TestJson.at(json, "kernel", "compared"));
        assertEquals(10L, TestJson.at(json, "kernel", "not_run"));
        // Instruction coverage: ten programs of 40 instructions use some forms of most classes, and the counts add up.
        long covered = (Long) TestJson.at(json, "coverage", "forms_covered");
        long valid = (Long) TestJson.at(json, "coverage", "forms_valid");
        assertTrue(covered > 10 && covered < valid, r.out());
        assertEquals(valid - covered, ((List<?>) TestJson.at(json, "coverage", "uncovered")).size(), r.out());
        long classesCovered = 0;
        for (String name : List.of("ld", "ldx", "st", "stx", "alu32", "jmp", "jmp32", "alu64")) {
            classesCovered += (Long) TestJson.at(json, "coverage", "classes", name, "covered");
        }
        assertEquals(covered, classesCovered, r.out());
        assertTrue((Long) TestJson.at(json, "coverage", "classes", "alu64", "covered") > 0, r.out());
    }
}
