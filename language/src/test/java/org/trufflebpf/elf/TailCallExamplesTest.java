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
 * The tail-call examples load, and every name their expectation blocks use (entry, programs, prog arrays and
 * slots, global variables) exists in the loaded object. Running them is the engines' business.
 */
class TailCallExamplesTest {
    static final Pattern COMMAND = Pattern.compile("^// ([a-z-]+): (.*)$");
    static final Pattern SLOT = Pattern.compile("^(\\w+)\\[(\\d+)\\](?:=(\\w+))?$");
    static final Pattern ASSIGNMENT = Pattern.compile("^(\\w+)=(-?\\d+)$");

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

        assertEquals("bpf-test: " + source.replace(".c", ""), commands.get(0));
        boolean sawRun = false;
        for (String command : commands) {
            Matcher m = COMMAND.matcher("// " + command);
            assertTrue(m.matches(), command);
            String key = m.group(1);
            String value = m.group(2);
            switch (key) {
                case "bpf-test" -> {
                }
                case "entry" -> assertNotNull(program(loaded, value), source + ": no program " + value);
                case "context" -> assertEquals("skb 54", value, source);
                case "run" -> {
                    sawRun = true;
                    String[] parts = value.split(" ");
                    assertTrue(parts[0].matches("result=-?\\d+"), command);
                    for (int i = 1; i < parts.length; i++) {
                        Matcher a = ASSIGNMENT.matcher(parts[i]);
                        assertTrue(a.matches(), command);
                        assertTrue(variables.contains(a.group(1)), source + ": no global variable " + a.group(1));
                    }
                }
                case "write" -> {
                    Matcher a = ASSIGNMENT.matcher(value);
                    assertTrue(a.matches(), command);
                    assertTrue(variables.contains(a.group(1)), source + ": no global variable " + a.group(1));
                }
                case "delete", "delete-fails", "set" -> {
                    Matcher s = SLOT.matcher(value);
                    assertTrue(s.matches(), command);
                    MapDefinition map = loaded.maps().stream().filter(d -> d.name().equals(s.group(1))).findFirst().orElse(null);
                    assertNotNull(map, source + ": no map " + s.group(1));
                    assertEquals(MapType.PROG_ARRAY, map.type());
                    assertTrue(Integer.parseInt(s.group(2)) < map.maxEntries(), command);
                    assertEquals(key.equals("set"), s.group(3) != null, command);
                    if (s.group(3) != null) {
                        assertNotNull(program(loaded, s.group(3)), source + ": no program " + s.group(3));
                    }
                }
                default -> fail(source + ": unknown command " + command);
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

    /** The leading {@code // key: value} lines of a source, without the {@code // }. */
    static List<String> readCommands(Path source) throws IOException {
        List<String> commands = new ArrayList<>();
        for (String line : Files.readAllLines(source)) {
            if (!COMMAND.matcher(line).matches()) {
                break;
            }
            commands.add(line.substring(3));
        }
        return commands;
    }
}
