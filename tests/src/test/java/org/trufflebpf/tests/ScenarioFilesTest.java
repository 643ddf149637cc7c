package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;

/** The tail-call scenario files assemble, and every program and map their steps name exists in the object. */
class ScenarioFilesTest {

    @Test
    void everyKernelTailCallTestHasAPort() throws IOException {
        assertEquals(15, Scenario.files("tailcall").size());
    }

    @TestFactory
    Stream<DynamicTest> scenariosNameOnlyWhatTheirObjectHolds() throws IOException {
        return Scenario.files("tailcall").stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> check(path)));
    }

    private static void check(Path path) throws IOException {
        Scenario scenario = Scenario.read(path);
        assertFalse(scenario.object().programs().isEmpty());
        for (MapDefinition map : scenario.object().maps()) {
            for (String program : map.initialPrograms().values()) {
                assertNotNull(scenario.object().findProgram(program), map.name() + " names " + program);
            }
        }
        boolean runs = false;
        for (Scenario.Step step : scenario.steps()) {
            switch (step) {
                case Scenario.Run run -> {
                    runs = true;
                    assertNotNull(scenario.object().findProgram(run.program()), "line " + run.line());
                }
                case Scenario.Set set -> {
                    assertEquals(MapType.PROG_ARRAY, map(scenario, set.map()).type(), "line " + set.line());
                    assertNotNull(scenario.object().findProgram(set.program()), "line " + set.line());
                }
                case Scenario.Delete delete -> assertEquals(MapType.PROG_ARRAY, map(scenario, delete.map()).type(), "line " + delete.line());
                case Scenario.Poke poke -> assertTrue(map(scenario, poke.map()).valueSize() >= 8, "line " + poke.line());
                case Scenario.Expect expect -> assertTrue(map(scenario, expect.map()).valueSize() >= 8, "line " + expect.line());
                case Scenario.Context context -> assertTrue(context.packetBytes() > 0);
            }
        }
        assertTrue(runs, "a scenario runs something");
    }

    private static MapDefinition map(Scenario scenario, String name) {
        return scenario.object().maps().stream().filter(m -> m.name().equals(name)).findFirst()
                        .orElseThrow(() -> new AssertionError("no map " + name));
    }
}
