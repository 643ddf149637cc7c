package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FuzzCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return BpfCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aSmallCampaignEndsWithItsSummaryLine(@TempDir Path dir) {
        assertEquals(0, run("fuzz", "--count", "25", "--seed", "7", "--out", dir.toString()), err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("25 programs, 0 divergences\n0 rejected by the verifier, "), text);
        assertTrue(text.matches("(?s).*, \\d+ programs/s\n.*"), text);
    }

    @Test
    void aCountThatIsNoNumberIsAUsageError() {
        assertEquals(BpfCommand.EXIT_USAGE, run("fuzz", "--count", "many"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--count wants a number, got 'many'"), err.toString(StandardCharsets.UTF_8));
    }
}
