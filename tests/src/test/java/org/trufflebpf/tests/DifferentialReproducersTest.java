package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.trufflebpf.fuzz.DiffCase;
import org.trufflebpf.fuzz.DifferentialRunner;
import org.trufflebpf.fuzz.FuzzCampaign;
import org.trufflebpf.fuzz.Outcome;

/**
 * Reduced reproducers of divergences the fuzzer found (src/test/resources/differential, as {@code bpf fuzz}
 * writes them: the input in a {@code # input} comment): each once made the engines differ and must now agree,
 * under the campaign's options ({@code bpf.Verify=false} for laundering ones), leaving no host value behind.
 * A {@code # expect r0: N} or {@code # expect error: TEXT} line also pins what both engines must do.
 */
class DifferentialReproducersTest {
    private static final Pattern INPUT = Pattern.compile("^# input \\(\\d+ bytes\\): ([0-9a-f]*|none)$", Pattern.MULTILINE);
    private static final Pattern OPTIONS = Pattern.compile("^# options:(.*)$", Pattern.MULTILINE);
    private static final Pattern EXPECT = Pattern.compile("^# expect (r0|error): (.*)$", Pattern.MULTILINE);

    /** The run's options from the {@code # options:} line; without one, the campaign's budget. */
    private static DiffCase withOptions(String text, DiffCase c, Map<String, String> options) {
        Matcher m = OPTIONS.matcher(text);
        if (!m.find()) {
            options.put("bpf.InstructionLimit", FuzzCampaign.INSTRUCTION_LIMIT);
            return c;
        }
        for (String pair : m.group(1).trim().split("\\s+")) {
            String[] kv = pair.split("=", 2);
            if (kv[0].equals("tail-call-abi")) {
                c = c.withTailCallAbi(kv[1].equals("default") ? null : kv[1]);
            } else {
                options.put(kv[0], kv[1]);
            }
        }
        return c;
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
                                Map<String, String> options = new HashMap<>();
                                DiffCase c = withOptions(text, DiffCase.assembly(path.getFileName().toString(), text, "main", bytes), options);
                                try (DifferentialRunner runner = new DifferentialRunner(options).scanHostValues()) {
                                    DifferentialRunner.Comparison comparison = runner.compare(c);
                                    assertFalse(comparison.diverges(), () -> path + ":\n" + comparison.report());
                                    Matcher expect = EXPECT.matcher(text);
                                    if (expect.find()) {
                                        for (Outcome outcome : new Outcome[] {comparison.interpreter(), comparison.nativeEngine()}) {
                                            if (expect.group(1).equals("r0")) {
                                                assertEquals(Long.valueOf(expect.group(2).trim()), outcome.r0(), () -> path + ":\n" + comparison.report());
                                            } else {
                                                assertTrue(outcome.failed() && outcome.error().contains(expect.group(2).trim()),
                                                                () -> path + ":\n" + comparison.report());
                                            }
                                        }
                                    }
                                }
                            }));
        }
    }
}
