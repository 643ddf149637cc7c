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
    void secondsBoundTheCampaignAndCountBoundsItsPrograms() {
        long start = System.nanoTime();
        assertEquals(0, run("fuzz", "--seconds", "2", "--count", "1000000", "--seed", "11"), err.toString(StandardCharsets.UTF_8));
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        String text = out.toString(StandardCharsets.UTF_8);
        // A million programs take minutes: stopping after about two seconds means --seconds ended the campaign.
        assertTrue(seconds < 60, seconds + " s");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+) programs, 0 divergences$", java.util.regex.Pattern.MULTILINE).matcher(text);
        assertTrue(m.find(), text);
        assertTrue(Integer.parseInt(m.group(1)) > 0 && Integer.parseInt(m.group(1)) < 1_000_000, text);
    }

    @Test
    void aCountThatIsNoNumberIsAUsageError() {
        assertEquals(BpfCommand.EXIT_USAGE, run("fuzz", "--count", "many"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--count wants a number, got 'many'"), err.toString(StandardCharsets.UTF_8));
    }
}
