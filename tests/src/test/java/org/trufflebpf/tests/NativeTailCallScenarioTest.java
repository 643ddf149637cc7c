package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.trufflebpf.jit.x64.NativeEngine;
import org.trufflebpf.jit.x64.NativeProgram;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.Program;

/**
 * The kernel's tail-call tests (resources/tailcall) on the native engine: every program of a scenario's
 * object loaded natively over shared maps, prog arrays filled from the object's slots, then the steps in order.
 * Runs of the shared-counter ABI are not supported by the native engine yet and are counted as skipped.
 */
class NativeTailCallScenarioTest {

    @TestFactory
    Stream<DynamicTest> everyScenarioOnTheNativeEngine() throws IOException {
        return Scenario.files("tailcall").stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> play(path)));
    }

    private static void play(Path path) throws IOException {
        Scenario scenario = Scenario.read(path);
        List<MapDefinition> definitions = scenario.object().maps();
        Map<String, NativeProgram> programs = new HashMap<>();
        List<String> skipped = new ArrayList<>();
        try (NativeScenarioMaps maps = new NativeScenarioMaps(definitions); Arena arena = Arena.ofConfined()) {
            try {
                for (Program program : scenario.object().programs()) {
                    programs.put(program.name(), NativeEngine.compile(program, JitOptions.CHECKED, NativeEngine.standardHelpers(), maps));
                }
                for (int i = 0; i < definitions.size(); i++) {
                    for (Map.Entry<Integer, String> slot : definitions.get(i).initialPrograms().entrySet()) {
                        maps.progArray(i).set(slot.getKey(), programs.get(slot.getValue()));
                    }
                }
                int packet = 54;
                for (Scenario.Step step : scenario.steps()) {
                    String where = scenario.name() + ":" + step.line();
                    switch (step) {
                        case Scenario.Context context -> packet = context.packetBytes();
                        case Scenario.Run run -> {
                            if (!run.abi().equals("by-value")) {
                                skipped.add(where);
                                continue;
                            }
                            int length = packet;
                            MemorySegment context = arena.allocate(Math.max(packet, 64), 8);
                            context.set(ValueLayout.JAVA_INT, 0, length); // skb->len at offset 0
                            List<MemorySegment> accessible = new ArrayList<>(maps.accessible());
                            accessible.add(context);
                            NativeProgram program = programs.get(scenario.object().findProgram(run.program()).name());
                            if (run.expectBudgetError()) {
                                BpfError error = assertThrows(BpfError.class, () -> program.run(context.address(), length, accessible), where);
                                assertEquals(BpfError.Kind.BUDGET, error.kind(), where + ": " + error.getMessage());
                            } else {
                                long r0 = program.run(context.address(), length, accessible);
                                assertEquals(run.expected().longValue(), r0, where);
                            }
                        }
                        case Scenario.Delete delete -> assertEquals(!delete.expectMissing(), maps.progArray(maps.index(delete.map())).delete(delete.key()),
                                        where);
                        case Scenario.Set set -> maps.progArray(maps.index(set.map())).set(set.key(),
                                        programs.get(scenario.object().findProgram(set.program()).name()));
                        case Scenario.Poke poke -> maps.value(maps.index(poke.map())).set(ValueLayout.JAVA_LONG,
                                        (long) poke.key() * definitions.get(maps.index(poke.map())).valueSize(), poke.value());
                        case Scenario.Expect expect -> assertEquals(expect.value(), maps.value(maps.index(expect.map())).get(ValueLayout.JAVA_LONG, 0),
                                        where);
                    }
                }
            } finally {
                for (int i = 0; i < definitions.size(); i++) {
                    if (maps.progArray(i) != null) {
                        for (int key = 0; key < definitions.get(i).maxEntries(); key++) {
                            maps.progArray(i).delete(key);
                        }
                    }
                }
                programs.values().forEach(NativeProgram::close);
            }
        }
        if (!skipped.isEmpty()) {
            System.out.println("native engine: shared-counter ABI runs skipped at " + skipped);
        }
        assertFalse(scenario.steps().isEmpty());
        assertTrue(true);
    }
}
