package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.trufflebpf.jit.x64.JitOptions;
import org.trufflebpf.jit.x64.JitOptions.TailCallCounter;
import org.trufflebpf.jit.x64.NativeEngine;
import org.trufflebpf.jit.x64.NativeProgram;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.Program;
import org.trufflebpf.verifier.Verifier;

/**
 * The kernel's tail-call tests (resources/tailcall) on the native engine. Code compiled for one tail-call ABI
 * serves only that ABI, so those variants load the object twice, once per ABI, over the same array maps (each
 * copy with its own prog arrays; host steps on slots apply to both); the per-run variant loads it once.
 */
class NativeTailCallScenarioTest {

    @TestFactory
    Stream<DynamicTest> everyScenarioOnTheNativeEngine() throws IOException {
        return Scenario.files("tailcall").stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> play(path, false, false)));
    }

    /** One loaded copy serving both ABIs, each run choosing its counter (the default {@link JitOptions#CHECKED}). */
    @TestFactory
    Stream<DynamicTest> everyScenarioWithTheAbiChosenPerRun() throws IOException {
        return Scenario.files("tailcall").stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> play(path, true, true)));
    }

    /** The same with verified programs: the verifier's stack sizes, reachability and constant keys (direct form). */
    @TestFactory
    Stream<DynamicTest> everyScenarioVerifiedOnTheNativeEngine() throws IOException {
        return Scenario.files("tailcall").stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> play(path, true, false)));
    }

    /** One loaded copy of the object for one ABI. */
    private record World(NativeScenarioMaps maps, Map<String, NativeProgram> programs) {
        NativeProgram program(Scenario scenario, String name) {
            return programs.get(scenario.object().findProgram(name).name());
        }
    }

    private static World load(Scenario scenario, NativeScenarioMaps maps, TailCallCounter counter, boolean verify) {
        Map<String, NativeProgram> programs = new HashMap<>();
        JitOptions options = JitOptions.CHECKED.withTailCallCounter(counter);
        for (Program program : scenario.object().programs()) {
            programs.put(program.name(), NativeEngine.compile(verify ? Verifier.verify(program) : program, options, NativeEngine.standardHelpers(), maps));
        }
        List<MapDefinition> definitions = scenario.object().maps();
        for (int i = 0; i < definitions.size(); i++) {
            for (Map.Entry<Integer, String> slot : definitions.get(i).initialPrograms().entrySet()) {
                maps.progArray(i).set(slot.getKey(), programs.get(slot.getValue()));
            }
        }
        return new World(maps, programs);
    }

    private static void unload(Scenario scenario, World world) {
        List<MapDefinition> definitions = scenario.object().maps();
        for (int i = 0; i < definitions.size(); i++) {
            if (world.maps().progArray(i) != null) {
                for (int key = 0; key < definitions.get(i).maxEntries(); key++) {
                    world.maps().progArray(i).delete(key);
                }
            }
        }
        world.programs().values().forEach(NativeProgram::close);
    }

    private static void play(Path path, boolean verify, boolean perRun) throws IOException {
        Scenario scenario = Scenario.read(path);
        List<MapDefinition> definitions = scenario.object().maps();
        try (NativeScenarioMaps byValueMaps = new NativeScenarioMaps(definitions);
                        NativeScenarioMaps sharedMaps = new NativeScenarioMaps(definitions, byValueMaps);
                        Arena arena = Arena.ofConfined()) {
            World byValue = load(scenario, byValueMaps, perRun ? TailCallCounter.PER_RUN : TailCallCounter.BY_VALUE, verify);
            World shared = perRun ? byValue : load(scenario, sharedMaps, TailCallCounter.SHARED, verify);
            if (scenario.name().equals("tailcall_3.s")) {
                // Its constant key makes the direct, patched form (the verifier's fact, or the JIT's local proof).
                assertEquals(1, byValue.program(scenario, "classifier_0").image().pokes().size());
            }
            try {
                int packet = 54;
                for (Scenario.Step step : scenario.steps()) {
                    String where = scenario.name() + ":" + step.line();
                    switch (step) {
                        case Scenario.Context context -> packet = context.packetBytes();
                        case Scenario.Run run -> {
                            boolean sharedRun = run.abi().equals("shared");
                            World world = sharedRun ? shared : byValue;
                            int length = packet;
                            MemorySegment context = arena.allocate(Math.max(length, 64), 8);
                            context.set(ValueLayout.JAVA_INT, 0, length); // skb->len at offset 0
                            List<MemorySegment> accessible = new ArrayList<>(world.maps().accessible());
                            accessible.add(context);
                            NativeProgram program = world.program(scenario, run.program());
                            if (run.expectBudgetError()) {
                                BpfError error = assertThrows(BpfError.class, () -> program.execute(context.address(), length, accessible,
                                                NativeProgram.DEFAULT_INSTRUCTION_LIMIT, sharedRun), where);
                                assertEquals(BpfError.Kind.BUDGET, error.kind(), where + ": " + error.getMessage());
                            } else {
                                assertEquals(run.expected().longValue(), program.execute(context.address(), length, accessible,
                                                NativeProgram.DEFAULT_INSTRUCTION_LIMIT, sharedRun).r0(), where);
                            }
                        }
                        case Scenario.Delete delete -> {
                            int map = byValueMaps.index(delete.map());
                            assertEquals(!delete.expectMissing(), byValueMaps.progArray(map).delete(delete.key()), where);
                            if (!perRun) {
                                sharedMaps.progArray(map).delete(delete.key());
                            }
                        }
                        case Scenario.Set set -> {
                            int map = byValueMaps.index(set.map());
                            byValueMaps.progArray(map).set(set.key(), byValue.program(scenario, set.program()));
                            if (!perRun) {
                                sharedMaps.progArray(map).set(set.key(), shared.program(scenario, set.program()));
                            }
                        }
                        case Scenario.Poke poke -> {
                            int map = byValueMaps.index(poke.map());
                            byValueMaps.value(map).set(ValueLayout.JAVA_LONG, (long) poke.key() * definitions.get(map).valueSize(), poke.value());
                        }
                        case Scenario.Expect expect -> assertEquals(expect.value(),
                                        byValueMaps.value(byValueMaps.index(expect.map())).get(ValueLayout.JAVA_LONG, 0), where);
                    }
                }
            } finally {
                unload(scenario, byValue);
                if (!perRun) {
                    unload(scenario, shared);
                }
            }
        }
    }
}
