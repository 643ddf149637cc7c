package org.trufflebpf.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.model.Program;

/**
 * The tail-call examples load, and every name their scenario steps use (programs, prog arrays and slots, global
 * variables) exists in the loaded object. Running them is the engines' business.
 */
class TailCallExamplesTest {
    static final Pattern STEP = Pattern.compile("^// #> (.*)$");
    static final Pattern RUN = Pattern.compile("run(?: (?!abi=)(\\w+))?(?: abi=(by-value|shared))? => (budget|-?\\d+|0x[0-9a-f]+)");
    static final Pattern DELETE = Pattern.compile("delete (\\w+) (\\d+)( => ENOENT)?");
    static final Pattern SET = Pattern.compile("set (\\w+) (\\d+) (\\w+)");
    static final Pattern POKE = Pattern.compile("poke (\\w+) 0 (-?\\d+)");
    static final Pattern EXPECT = Pattern.compile("expect (\\w+) = (-?\\d+)");

    static Stream<String> sources() throws IOException {
        Path folder = ExampleObjects.path("tailcall");
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".c")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("sources")
    void expectationBlockRefersToWhatTheObjectHolds(String source) throws IOException {
        List<String> commands = readCommands(ExampleObjects.path("tailcall").resolve(source));
        String object = "tailcall/" + source.replace(".c", ".o");
        byte[] bytes = ExampleObjects.bytes(object);
        BpfObject loaded = ElfLoader.load(bytes, object);
        List<String> variables = ElfLoader.globalVariables(bytes, object).stream().map(GlobalVariable::name).toList();

        assertTrue(commands.size() > 0, source + " has no scenario");
        boolean sawRun = false;
        for (String step : commands) {
            Matcher m;
            if ((m = RUN.matcher(step)).matches()) {
                sawRun = true;
                String program = m.group(1) == null ? "entry" : m.group(1);
                assertNotNull(program(loaded, program), source + ": no program " + program);
            } else if ((m = DELETE.matcher(step)).matches() || (m = SET.matcher(step)).matches()) {
                String mapName = m.group(1);
                MapDefinition map = loaded.maps().stream().filter(d -> d.name().equals(mapName)).findFirst().orElse(null);
                assertNotNull(map, source + ": no map " + mapName);
                assertEquals(MapType.PROG_ARRAY, map.type(), step);
                assertTrue(Integer.parseInt(m.group(2)) < map.maxEntries(), step);
                if (step.startsWith("set ")) {
                    assertNotNull(program(loaded, m.group(3)), source + ": no program " + m.group(3));
                }
            } else if ((m = POKE.matcher(step)).matches() || (m = EXPECT.matcher(step)).matches()) {
                assertTrue(variables.contains(m.group(1)), source + ": no global variable " + m.group(1));
            } else {
                fail(source + ": unknown step '" + step + "'");
            }
        }
        assertTrue(sawRun, source + " runs nothing");
        for (MapDefinition map : loaded.maps()) {
            if (map.type() == MapType.PROG_ARRAY) {
                assertFalse(map.initialPrograms().isEmpty(), source + ": prog array " + map.name() + " starts empty");
                for (Map.Entry<Integer, String> slot : map.initialPrograms().entrySet()) {
                    assertNotNull(program(loaded, slot.getValue()));
                }
            }
        }
    }

    private static Program program(BpfObject object, String name) {
        return object.programs().stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    }

    /** The {@code // #>} scenario steps of a source, without the prefix. */
    static List<String> readCommands(Path source) throws IOException {
        List<String> steps = new ArrayList<>();
        for (String line : Files.readAllLines(source)) {
            Matcher m = STEP.matcher(line);
            if (m.matches()) {
                steps.add(m.group(1));
            }
        }
        return steps;
    }
}
