package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.trufflebpf.jit.x64.JitOptions;
import org.trufflebpf.jit.x64.NativeEngine;
import org.trufflebpf.jit.x64.NativeProgram;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.ContextRewriter;
import org.trufflebpf.runtime.NativeMemory;
import org.trufflebpf.runtime.ProgramContexts;
import org.trufflebpf.runtime.RunOptions;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.TailCallAbi;
import org.trufflebpf.runtime.maps.ArrayMap;
import org.trufflebpf.runtime.maps.BpfMap;
import org.trufflebpf.runtime.maps.Errno;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.runtime.maps.ProgArray;
import org.trufflebpf.verifier.Verifier;

/**
 * The kernel's tail-call tests (resources/tailcall) on the native engine's own API, over the shared runtime:
 * its maps and prog arrays, and one {@link RunState} per run with the scenario's tail-call ABI. Code compiled
 * for one ABI serves only that ABI, so the object is loaded once per ABI its runs use, each copy with its own
 * maps; host steps (slots, pokes) apply to every copy, and {@code expect} reads the copy of the last run.
 */
class NativeTailCallScenarioTest {

    @TestFactory
    Stream<DynamicTest> everyScenarioOnTheNativeEngine() throws IOException {
        return Scenario.files("tailcall").stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> play(path, false)));
    }

    /** The same with verified programs: the verifier's stack sizes, reachability and constant keys (direct form). */
    @TestFactory
    Stream<DynamicTest> everyScenarioVerifiedOnTheNativeEngine() throws IOException {
        return Scenario.files("tailcall").stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> play(path, true)));
    }

    /** One loaded copy of the object for one ABI, prepared as the language prepares programs (verify, rewrite). */
    private record World(TailCallAbi abi, MapSet maps, Map<String, NativeProgram> programs) {
        static World load(Scenario scenario, TailCallAbi abi, boolean verify) {
            MapSet maps = MapSet.create(scenario.object().maps(), 1, scenario.name());
            Map<String, NativeProgram> programs = new HashMap<>();
            for (Program program : scenario.object().programs()) {
                Program runnable = ContextRewriter.rewrite(verify ? Verifier.verify(program) : program);
                programs.put(program.name(), NativeEngine.compile(runnable, JitOptions.CHECKED.withTailCallAbi(abi), maps));
            }
            World world = new World(abi, maps, programs);
            List<MapDefinition> definitions = scenario.object().maps();
            for (int i = 0; i < definitions.size(); i++) {
                for (Map.Entry<Integer, String> slot : definitions.get(i).initialPrograms().entrySet()) {
                    assertEquals(0, world.progArray(definitions.get(i).name()).set(slot.getKey(), programs.get(slot.getValue())));
                }
            }
            return world;
        }

        NativeProgram program(Scenario scenario, String name) {
            return programs.get(scenario.object().findProgram(name).name());
        }

        ProgArray progArray(String name) {
            return (ProgArray) maps.byName(name);
        }

        ArrayMap arrayMap(String name) {
            return (ArrayMap) maps.byName(name);
        }

        /** One run over a zero packet of {@code packetBytes}, with a ten-million-instruction budget. */
        long run(NativeProgram program, int packetBytes) {
            RunOptions defaults = RunOptions.defaults();
            // Small enough that the by-value hierarchy (about 2^34 tail calls) reaches its budget error quickly.
            RunOptions options = new RunOptions(10_000_000L, abi, defaults.seed(), defaults.cpus(), defaults.cpu());
            try (RunState state = new RunState(options, new PrintStream(OutputStream.nullOutputStream()), maps)) {
                state.enter();
                try {
                    long[] registers = ProgramContexts.setUp(state, program.image().program().type(), new byte[packetBytes]);
                    return program.run(state, registers[0], registers[1]);
                } finally {
                    state.leave();
                }
            }
        }

        void unload() {
            for (BpfMap map : maps.all()) {
                if (map instanceof ProgArray array) {
                    for (int key = 0; key < array.maxEntries(); key++) {
                        array.set(key, null);
                    }
                }
            }
            programs.values().forEach(NativeProgram::close);
            maps.close();
        }
    }

    private static void play(Path path, boolean verify) throws IOException {
        Scenario scenario = Scenario.read(path);
        Map<TailCallAbi, World> worlds = new TreeMap<>();
        try {
            for (Scenario.Step step : scenario.steps()) {
                if (step instanceof Scenario.Run run) {
                    TailCallAbi abi = abiOf(run);
                    if (!worlds.containsKey(abi)) {
                        worlds.put(abi, World.load(scenario, abi, verify));
                    }
                }
            }
            if (scenario.name().equals("tailcall_3.s")) {
                // Its constant key makes the direct, patched form (the verifier's fact, or the JIT's local proof).
                for (World world : worlds.values()) {
                    assertEquals(1, world.program(scenario, "classifier_0").image().pokes().size());
                }
            }
            World lastRun = null;
            int packetBytes = 54;
            for (Scenario.Step step : scenario.steps()) {
                String where = scenario.name() + ":" + step.line();
                switch (step) {
                    case Scenario.Context context -> packetBytes = context.packetBytes();
                    case Scenario.Run run -> {
                        World world = worlds.get(abiOf(run));
                        NativeProgram program = world.program(scenario, run.program());
                        int bytes = packetBytes;
                        if (run.expectBudgetError()) {
                            BpfError error = assertThrows(BpfError.class, () -> world.run(program, bytes), where);
                            assertEquals(BpfError.Kind.BUDGET, error.kind(), where + ": " + error.getMessage());
                        } else {
                            assertEquals(run.expected().longValue(), world.run(program, bytes), where);
                        }
                        lastRun = world;
                    }
                    case Scenario.Delete delete -> {
                        for (World world : worlds.values()) {
                            assertEquals(delete.expectMissing() ? -Errno.ENOENT : 0, world.progArray(delete.map()).clear(delete.key()), where);
                        }
                    }
                    case Scenario.Set set -> {
                        for (World world : worlds.values()) {
                            assertEquals(0, world.progArray(set.map()).set(set.key(), world.program(scenario, set.program())), where);
                        }
                    }
                    case Scenario.Poke poke -> {
                        for (World world : worlds.values()) {
                            NativeMemory.writeU64(world.arrayMap(poke.map()).valueAddress(poke.key()), poke.value());
                        }
                    }
                    case Scenario.Expect expect -> {
                        World world = lastRun != null ? lastRun : worlds.values().iterator().next();
                        assertEquals(expect.value(), NativeMemory.readU64(world.arrayMap(expect.map()).valueAddress(0)), where);
                    }
                }
            }
        } finally {
            worlds.values().forEach(World::unload);
        }
    }

    private static TailCallAbi abiOf(Scenario.Run run) {
        return TailCallAbi.byName(run.abi());
    }
}
