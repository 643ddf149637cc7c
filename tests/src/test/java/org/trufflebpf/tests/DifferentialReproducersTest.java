package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.trufflebpf.fuzz.DiffCase;
import org.trufflebpf.fuzz.DifferentialRunner;
import org.trufflebpf.fuzz.FuzzCampaign;

/**
 * Reduced reproducers of divergences the fuzzer found (src/test/resources/differential, as {@code bpf fuzz}
 * writes them: the input in a {@code # input} comment): each once made the engines differ and must now agree,
 * under the campaign's options.
 */
class DifferentialReproducersTest {
    private static final Pattern INPUT = Pattern.compile("^# input \\(\\d+ bytes\\): ([0-9a-f]*|none)$", Pattern.MULTILINE);
    private static DifferentialRunner runner;

    @BeforeAll
    static void setUp() {
        runner = new DifferentialRunner(Map.of("bpf.InstructionLimit", FuzzCampaign.INSTRUCTION_LIMIT));
    }

    @AfterAll
    static void tearDown() {
        runner.close();
    }

    @TestFactory
    Stream<DynamicTest> reproducersNoLongerDiverge() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/differential"))) {
            return files.filter(p -> p.toString().endsWith(".s")).sorted().toList().stream()
                            .map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
                                String text = Files.readString(path);
                                Matcher input = INPUT.matcher(text);
                                assertNotNull(input.find() ? input.group(1) : null, "no '# input' line");
                                byte[] bytes = input.group(1).equals("none") ? null : HexFormat.of().parseHex(input.group(1));
                                DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly(path.getFileName().toString(), text, "main", bytes));
                                assertFalse(comparison.diverges(), () -> path + ":\n" + comparison.report());
                            }));
        }
    }
}
