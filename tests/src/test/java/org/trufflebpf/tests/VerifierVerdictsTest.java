package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.trufflebpf.fuzz.VerifierVerdicts;

/**
 * Programs {@code bpf fuzz --verifier} found that only the kernel's verifier rejects (src/test/resources/
 * verifier-vs-kernel): each file's {@code # ours:} and {@code # kernel:} lines are both verifiers' verdicts as they
 * are now, and each is checked again, ours always, the kernel's where it runs. When ours becomes kernel-grade
 * (issue 11), a file's {@code # ours:} line changes to the rejection, and the case becomes "both reject".
 */
class VerifierVerdictsTest {
    // Closed with the JVM: the context only reads sources and holds no program or map.
    private static final VerifierVerdicts VERDICTS = new VerifierVerdicts();
    private static final Path FOLDER = Path.of("src/test/resources/verifier-vs-kernel");
    private static final Pattern VERDICT = Pattern.compile("^# (ours|kernel): (accepted|rejected: (.+))$", Pattern.MULTILINE);

    /** One verifier's recorded verdict: accepted, or rejected with (a part of) the reason. */
    private record Recorded(boolean accepted, String reason) {
    }

    private static Recorded recorded(String text, String who) {
        Matcher m = VERDICT.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(who)) {
                return new Recorded(m.group(3) == null, m.group(3));
            }
        }
        throw new AssertionError("no '# " + who + ":' line");
    }

    private static List<Path> files() throws IOException {
        try (Stream<Path> files = Files.list(FOLDER)) {
            return files.filter(p -> p.toString().endsWith(".s")).sorted().toList();
        }
    }

    private static void check(Recorded recorded, VerifierVerdicts.Verdict actual, String who, Path file) {
        String where = file.getFileName() + ": " + who + " verifier";
        assertEquals(recorded.accepted(), actual.accepted(), () -> where + (actual.accepted() ? " accepts it" : " rejects it: " + actual.reason()));
        if (!recorded.accepted()) {
            assertTrue(actual.reason().contains(recorded.reason()), () -> where + " rejects it for another reason: " + actual.reason());
        }
    }

    @TestFactory
    Stream<DynamicTest> ourVerifierGivesTheRecordedVerdict() throws IOException {
        List<Path> files = files();
        assertFalse(files.isEmpty());
        return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
            String text = Files.readString(file);
            check(recorded(text, "ours"), VERDICTS.ours(text, file.getFileName().toString()), "our", file);
        }));
    }

    @TestFactory
    Stream<DynamicTest> theKernelsVerifierGivesTheRecordedVerdict() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : files()) {
            tests.add(DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
                KernelEngineTest.assumeKernel();
                String text = Files.readString(file);
                check(recorded(text, "kernel"), VERDICTS.kernel(text, file.getFileName().toString()), "the kernel's", file);
            }));
        }
        return tests.stream();
    }
}
