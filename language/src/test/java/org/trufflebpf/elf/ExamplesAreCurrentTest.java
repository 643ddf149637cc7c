package org.trufflebpf.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.Program;

/**
 * The committed example objects must be what {@code examples/c/build.sh} makes from their sources today. When
 * clang is on PATH, the sources are rebuilt into a temporary folder and each rebuilt object must load to the
 * same programs and maps as the committed one (ELF details that do not reach the model, such as debug info,
 * may differ). Without clang the test is skipped.
 */
class ExamplesAreCurrentTest {

    @Test
    void committedObjectsMatchTheirSources(@TempDir Path out) throws IOException, InterruptedException {
        Assumptions.assumeTrue(onPath("clang"), "clang is not on PATH: cannot rebuild examples/c to check the committed objects");
        Path examples = ExampleObjects.folder();
        List<String> sources;
        try (Stream<Path> files = Files.walk(examples)) {
            sources = files.filter(p -> p.toString().endsWith(".c")).map(p -> examples.relativize(p).toString()).sorted().toList();
        }
        List<String> objects = sources.stream().map(s -> s.substring(0, s.length() - 2) + ".o").toList();
        assertEquals(objects, ExampleObjects.all(), "every example source needs its committed object, and every object its source");

        Process build = new ProcessBuilder("bash", examples.resolve("build.sh").toString(), out.toString()).redirectErrorStream(true).start();
        String log = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(build.waitFor(300, TimeUnit.SECONDS), "build.sh did not finish");
        Assumptions.assumeFalse(log.contains("bpf/bpf_helpers.h' file not found"), "libbpf headers are missing: " + log);
        assertEquals(0, build.exitValue(), "build.sh failed:\n" + log);

        for (String object : objects) {
            BpfObject committed = ElfLoader.load(Files.readAllBytes(examples.resolve(object)), object);
            BpfObject rebuilt = ElfLoader.load(Files.readAllBytes(out.resolve(object)), object);
            assertSameObject(object, committed, rebuilt);
        }
    }

    private static void assertSameObject(String name, BpfObject committed, BpfObject rebuilt) {
        String stale = name + " is stale: run examples/c/build.sh";
        assertEquals(committed.license(), rebuilt.license(), stale);
        assertEquals(committed.programs().size(), rebuilt.programs().size(), stale);
        for (int i = 0; i < committed.programs().size(); i++) {
            Program a = committed.programs().get(i);
            Program b = rebuilt.programs().get(i);
            assertEquals(a.name(), b.name(), stale);
            assertEquals(a.section(), b.section(), stale);
            assertEquals(a.type(), b.type(), stale);
            assertEquals(a.code(), b.code(), stale + " (program " + a.name() + ")");
            assertEquals(a.symbols(), b.symbols(), stale + " (program " + a.name() + ")");
        }
        assertEquals(committed.maps().size(), rebuilt.maps().size(), stale);
        for (int i = 0; i < committed.maps().size(); i++) {
            MapDefinition a = committed.maps().get(i);
            MapDefinition b = rebuilt.maps().get(i);
            String what = stale + " (map " + a.name() + ")";
            assertEquals(List.of(a.name(), a.type(), a.keySize(), a.valueSize(), a.maxEntries(), a.flags(), a.readOnly()),
                            List.of(b.name(), b.type(), b.keySize(), b.valueSize(), b.maxEntries(), b.flags(), b.readOnly()), what);
            assertArrayEquals(a.initialValue(), b.initialValue(), what);
            assertEquals(a.initialPrograms(), b.initialPrograms(), what);
        }
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
