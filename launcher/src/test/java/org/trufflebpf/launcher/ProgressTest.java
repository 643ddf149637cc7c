package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Progress: drawn in place on a terminal, cleared when done, and nothing at all when stderr is piped or --quiet. */
class ProgressTest {
    @Test
    void aBarShowsTheShareDoneAndTheItemAtHand() {
        assertEquals("pcap [############------------] 12/24 packet 12", Progress.line("pcap", 12, 24, "12/24", "packet 12"));
        assertEquals("fuzz 1234", Progress.line("fuzz", 1234, 0, "1234", null));
    }

    @Test
    void onATerminalItRedrawsInPlaceAndClearsTheLineWhenDone() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Progress progress = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, "pcap")) {
            progress.update(1, 2, null);
            progress.update(2, 2, null);
        }
        String drawn = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(drawn.startsWith("\rpcap [############------------] 1/2"), drawn);
        assertTrue(drawn.contains("\rpcap [########################] 2/2"), "the last step is always drawn: " + drawn);
        assertTrue(drawn.endsWith("\r"), "cleared: " + drawn);
    }

    @Test
    void silentWhenStderrIsNotATerminal() {
        // Under the build, as in a pipe, the JVM has no console: the rule is the one a piped bpf follows.
        assertFalse(Progress.stderrIsTerminal());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Progress progress = Progress.onTerminal(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, "fuzz")) {
            assertFalse(progress.enabled());
            progress.update(5, 10, "seed 5");
        }
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void silentWithQuietEvenOnATerminal() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (Progress progress = Progress.of(err, true, true, "bench")) {
            progress.update(1, 1, null);
        }
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
        try (Progress progress = Progress.of(err, false, true, "bench")) {
            progress.update(1, 1, null);
        }
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("bench [####"), "without --quiet a terminal gets it");
    }

    @Test
    void pipedCommandsPrintNoProgress() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String program = java.nio.file.Path.of("..", "examples", "c", "pcap_xdp_protocols.o").toString();
        int exit = BpfCommand.run(new String[] {"run", program, "--pcap", PcapReaderTest.capture("mixed.pcap").toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        assertFalse(out.toString(StandardCharsets.UTF_8).contains("\r"));
    }
}
