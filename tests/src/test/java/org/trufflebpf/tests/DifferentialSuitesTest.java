package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.trufflebpf.asm.ConformanceFile;
import org.trufflebpf.conformance.ConformanceSuite;
import org.trufflebpf.fuzz.DiffCase;
import org.trufflebpf.fuzz.DifferentialRunner;
import org.trufflebpf.model.BpfError;

/**
 * Every program we have on file runs on both engines through {@link DifferentialRunner}, which compares r0
 * or the error, the input memory afterwards, every map and the instruction count: the conformance suite
 * (and its negative inputs, which both must reject alike), the tail-call scenarios step by step, the C
 * example objects over a few packets, and the assembly examples. Packet programs also run in the host kernel
 * where it runs them (verdict, r0, packet, maps); how the kernel took part is counted and printed at the end.
 */
class DifferentialSuitesTest {
    private static DifferentialRunner runner;

    @BeforeAll
    static void setUp() {
        // A budget that ends the by-value tail-call hierarchy (about 2^34 tail calls) quickly, as the scenario tests do.
        runner = new DifferentialRunner(Map.of("bpf.InstructionLimit", "3000000", "bpf.Seed", "42"));
    }

    @AfterAll
    static void tearDown() {
        runner.close();
        KERNEL_TALLY.forEach((what, count) -> System.out.println("kernel " + count + "x " + what));
    }

    /** How the kernel took part in each comparison of this class, with the notes seen; printed at the end. */
    private static final Map<String, Integer> KERNEL_TALLY = new ConcurrentSkipListMap<>();

    private static void assertAgree(DifferentialRunner.Comparison comparison, String where) {
        assertFalse(comparison.diverges(), () -> where + ": engines differ\n" + comparison.report());
        String key = comparison.kernelResult() + (comparison.kernelNote() == null ? "" : ": " + comparison.kernelNote());
        KERNEL_TALLY.merge(key, 1, Integer::sum);
    }

    private static DiffCase conformanceCase(ConformanceFile file) {
        return file.asm() != null ? DiffCase.assembly(file.name(), file.asm(), null, file.memory()) : DiffCase.binary(file.name(), file.raw(), null, file.memory());
    }

    @TestFactory
    Stream<DynamicTest> conformanceProgramsAgree() {
        Assumptions.assumeTrue(ConformanceSuite.directory().isPresent(), ConformanceSuite.whereToPut());
        List<Path> files = ConformanceSuite.files("tests");
        assertEquals(313, files.size());
        return files.stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
            ConformanceFile file = ConformanceFile.read(path);
            DifferentialRunner.Comparison comparison = runner.compare(conformanceCase(file));
            assertAgree(comparison, file.name());
            assertEquals(file.result(), comparison.interpreter().r0(), file.name() + ": " + comparison.interpreter().summary());
        }));
    }

    /** Budgets that stop most conformance programs somewhere inside: both engines must stop at the same block. */
    private static final int[] SMALL_BUDGETS = {1, 2, 3, 5, 8, 13, 21, 34};

    @TestFactory
    Stream<DynamicTest> conformanceProgramsStopAlikeOnSmallBudgets() {
        Assumptions.assumeTrue(ConformanceSuite.directory().isPresent(), ConformanceSuite.whereToPut());
        return Arrays.stream(SMALL_BUDGETS).mapToObj(budget -> DynamicTest.dynamicTest("budget " + budget, () -> {
            int stopped = 0;
            try (DifferentialRunner small = new DifferentialRunner(Map.of("bpf.InstructionLimit", Integer.toString(budget)))) {
                for (Path path : ConformanceSuite.files("tests")) {
                    ConformanceFile file = ConformanceFile.read(path);
                    DifferentialRunner.Comparison comparison = small.compare(conformanceCase(file));
                    assertAgree(comparison, file.name() + " with a budget of " + budget);
                    stopped += String.valueOf(comparison.interpreter().error()).contains("execution budget") ? 1 : 0;
                }
            }
            assertTrue(stopped > 0, "no program ran out of a budget of " + budget);
        }));
    }

    @TestFactory
    Stream<DynamicTest> negativeConformanceInputsAreRejectedAlike() {
        Assumptions.assumeTrue(ConformanceSuite.directory().isPresent(), ConformanceSuite.whereToPut());
        return ConformanceSuite.files("negative").stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
            ConformanceFile file;
            try {
                file = ConformanceFile.read(path);
            } catch (BpfError e) {
                return; // the file itself does not parse: no program reaches an engine
            }
            if (!file.hasProgram()) {
                return;
            }
            DifferentialRunner.Comparison comparison = runner.compare(conformanceCase(file));
            // Some negative files hold a program that runs and a wrong expected result: only agreement counts here.
            assertAgree(comparison, file.name());
        }));
    }

    @TestFactory
    Stream<DynamicTest> tailCallScenariosAgreeAfterEveryStep() throws IOException {
        return Scenario.files("tailcall").stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> scenario(path)));
    }

    /**
     * The native engine compiles for its context's tail-call ABI, so a scenario whose runs use both ABIs gets a
     * pair of contexts per ABI: runs go to their ABI's pair, host steps (slots, pokes) to every pair alike.
     */
    private static void scenario(Path path) throws IOException {
        Scenario scenario = Scenario.read(path);
        Map<String, DifferentialRunner> runners = new TreeMap<>();
        Map<String, DifferentialRunner.Loaded> worlds = new TreeMap<>();
        for (Scenario.Step step : scenario.steps()) {
            if (step instanceof Scenario.Run r && !runners.containsKey(r.abi())) {
                runners.put(r.abi(), new DifferentialRunner(Map.of("bpf.InstructionLimit", "3000000", "bpf.Seed", "42", "bpf.TailCallAbi", r.abi())));
            }
        }
        try {
            for (Map.Entry<String, DifferentialRunner> entry : runners.entrySet()) {
                DifferentialRunner.Loaded loaded = entry.getValue().load(DiffCase.assembly(scenario.name(), Files.readString(path), null, null));
                assertFalse(loaded.rejected(), () -> scenario.name() + " rejected: " + loaded.rejection() + " / " + loaded.nativeRejection());
                worlds.put(entry.getKey(), loaded);
            }
            List<DifferentialRunner.KernelResult> kernel = play(scenario, runners, worlds);
            // Where the kernel loaded the scenario's object, it took part: some run was compared with it.
            if (worlds.values().stream().anyMatch(w -> w.kernel() != null)) {
                assertTrue(kernel.contains(DifferentialRunner.KernelResult.COMPARED), scenario.name() + ": the kernel compared no run: " + kernel);
            }
        } finally {
            runners.values().forEach(DifferentialRunner::close);
        }
    }

    /** Plays the steps; returns how the kernel took part in each run. */
    private static List<DifferentialRunner.KernelResult> play(Scenario scenario, Map<String, DifferentialRunner> runners,
                    Map<String, DifferentialRunner.Loaded> worlds) {
        List<DifferentialRunner.KernelResult> kernel = new ArrayList<>();
        List<Value> modules = new ArrayList<>();
        worlds.values().forEach(w -> modules.addAll(List.of(DifferentialRunner.modules(w))));
        List<Value> lastRunModules = modules;
        int packetBytes = 54;
        for (Scenario.Step step : scenario.steps()) {
            String where = scenario.name() + ":" + step.line();
            switch (step) {
                case Scenario.Context c -> packetBytes = c.packetBytes();
                case Scenario.Run r -> {
                    DifferentialRunner.Comparison comparison = runners.get(r.abi()).run(worlds.get(r.abi()), r.program(), new byte[packetBytes]);
                    // Our engines' modules: where the kernel's results were compared, they are the same.
                    lastRunModules = List.of(worlds.get(r.abi()).interpreter(), worlds.get(r.abi()).nativeEngine());
                    assertAgree(comparison, where);
                    kernel.add(comparison.kernelResult());
                    if (r.expectBudgetError()) {
                        assertTrue(String.valueOf(comparison.interpreter().error()).contains("execution budget"), where);
                    } else {
                        assertEquals(r.expected(), comparison.interpreter().r0(), where);
                    }
                }
                case Scenario.Delete d -> {
                    List<String> results = new ArrayList<>();
                    for (Value module : modules) {
                        try {
                            results.add("removed " + module.getMember(d.map()).removeArrayElement(d.key()));
                        } catch (PolyglotException e) {
                            results.add("error " + e.getMessage());
                        }
                    }
                    assertEquals(1, results.stream().distinct().count(), where + ": " + results);
                }
                case Scenario.Set s -> {
                    for (Value module : modules) {
                        module.getMember(s.map()).setArrayElement(s.key(), module.getMember(s.program()));
                    }
                }
                case Scenario.Poke p -> {
                    for (Value module : modules) {
                        PolyglotScenarioPlayer.pokeEntry(module.getMember(p.map()), p.key(), p.value());
                    }
                }
                case Scenario.Expect e -> {
                    // Runs compared the maps already; the value itself is the scenario's claim about the last run's world.
                    for (Value module : lastRunModules) {
                        Value value = module.getMember(e.map()).getArrayElement(0);
                        long actual = value.isNumber() ? value.asLong() : value.readBufferLong(ByteOrder.LITTLE_ENDIAN, 0);
                        assertEquals(e.value(), actual, where);
                    }
                }
            }
        }
        return kernel;
    }

    /** Ethernet frames that take different paths through the example parsers. */
    private static final String[] PACKETS = {
        // IPv4 TCP to port 23
        "00000000000200000000000108004500002800000000400600000a0000010a00000230390017000000000000000050020000ffff0000",
        // IPv4 UDP to port 53
        "0000000000020000000000010800450000200000000040110000c0a80001c0a8000204d2003500080000",
        // IPv4 ICMP echo
        "00000000000200000000000108004500001c0000000040010000080808080a0000010800f7ff00000000",
        // IPv6 header only
        "00000000000200000000000186dd6000000000003b40" + "00".repeat(32),
        // ARP, too short for the parsers' IPv4 path
        "ffffffffffff0000000000010806000108000604",
        // 60 zero bytes
        "00".repeat(60),
    };

    /** Examples both engines refuse to run as they are loaded here (see exampleObjectsAgreeOnEveryPacket). */
    private static final Set<String> NOT_PACKET_PROGRAMS = Set.of("cross_section.o", "stack_sampler.o");

    static Stream<Path> exampleObjects() throws IOException {
        Path examples = Path.of("../examples/c");
        try (Stream<Path> top = Files.list(examples); Stream<Path> tail = Files.list(examples.resolve("tailcall"))) {
            return Stream.concat(top, tail).filter(p -> p.toString().endsWith(".o")).sorted().toList().stream();
        }
    }

    @TestFactory
    Stream<DynamicTest> exampleObjectsAgreeOnEveryPacket() throws IOException {
        return exampleObjects().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
            byte[] bytes = Files.readAllBytes(path);
            DifferentialRunner.Loaded loaded = runner.load(DiffCase.binary(path.getFileName().toString(), bytes, null, null));
            if (loaded.rejected()) {
                // cross_section.o calls bpf_loop, which neither of our engines provides: both must reject it alike
                // (the kernel accepts it: a listed difference). stack_sampler.o is a kprobe, which runs only with
                // --context raw (StackSamplerExampleTest runs it so).
                assertAgree(runner.run(loaded, null, null), path.getFileName().toString());
                assertTrue(NOT_PACKET_PROGRAMS.contains(path.getFileName().toString()), () -> path + " rejected: " + loaded.rejection().error());
                return;
            }
            Value module = loaded.interpreter();
            int runs = 0;
            int kernelCompared = 0;
            List<DifferentialRunner.KernelResult> kernelResults = new ArrayList<>();
            for (String member : module.getMemberKeys()) {
                if (!module.getMember(member).canExecute()) {
                    continue;
                }
                // One module per object: maps carry over from packet to packet, on every engine alike.
                for (String packet : PACKETS) {
                    DifferentialRunner.Comparison comparison = runner.run(loaded, member, HexFormat.of().parseHex(packet));
                    assertAgree(comparison, path.getFileName() + " " + member + " packet " + packet);
                    runs++;
                    // Compared, or differing only as KernelDifferences allows (the hierarchy objects' counter semantics).
                    kernelCompared += comparison.kernelResult() == DifferentialRunner.KernelResult.COMPARED
                                    || comparison.kernelResult() == DifferentialRunner.KernelResult.MASKED ? 1 : 0;
                    kernelResults.add(comparison.kernelResult());
                }
            }
            assertTrue(runs > 0, path + " has no program");
            if (loaded.kernel() != null) {
                assertTrue(kernelCompared > 0, path + ": the kernel loaded it but compared no run: " + kernelResults);
            }
        }));
    }

    /** Random frames of random lengths, half of them with an IPv4 header (TCP, UDP or ICMP) so parsers go deep. */
    static byte[] randomPacket(SplittableRandom random) {
        byte[] packet = new byte[random.nextInt(0, 100)];
        for (int i = 0; i < packet.length; i++) {
            packet[i] = (byte) random.nextInt(256);
        }
        if (packet.length >= 34 && random.nextBoolean()) {
            packet[12] = 0x08;
            packet[13] = 0x00;
            packet[14] = (byte) (0x40 | random.nextInt(5, 8));
            packet[23] = (byte) new int[] {1, 6, 17}[random.nextInt(3)];
        }
        return packet;
    }

    @TestFactory
    Stream<DynamicTest> exampleObjectsAgreeOnRandomPackets() throws IOException {
        return exampleObjects().filter(p -> !NOT_PACKET_PROGRAMS.contains(p.getFileName().toString())).map(path -> DynamicTest.dynamicTest(
                        path.getFileName().toString(), () -> {
                            SplittableRandom random = new SplittableRandom(path.getFileName().toString().hashCode());
                            DifferentialRunner.Loaded loaded = runner.load(DiffCase.binary(path.getFileName().toString(), Files.readAllBytes(path), null, null));
                            Value module = loaded.interpreter();
                            for (String member : module.getMemberKeys()) {
                                if (module.getMember(member).canExecute()) {
                                    for (int i = 0; i < 40; i++) {
                                        byte[] packet = randomPacket(random);
                                        assertAgree(runner.run(loaded, member, packet), path.getFileName() + " " + member + " packet " + HexFormat.of().formatHex(packet));
                                    }
                                }
                            }
                        }));
    }

    @TestFactory
    Stream<DynamicTest> assemblyExamplesAgree() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("../examples"))) {
            List<Path> sources = files.filter(p -> p.toString().endsWith(".s")).sorted().toList();
            assertFalse(sources.isEmpty());
            return sources.stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
                DifferentialRunner.Loaded loaded = runner.load(DiffCase.assembly(path.getFileName().toString(), Files.readString(path), null, null));
                for (String packet : PACKETS) {
                    assertAgree(runner.run(loaded, null, HexFormat.of().parseHex(packet)), path.getFileName() + " packet " + packet);
                }
            }));
        }
    }
}
