package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;
import org.trufflebpf.launcher.BpfCommand;

/** What the README promises: its first command's output and its embedding example. */
class ReadmeExamplesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** The packet of the README's first command, read from the README itself so the two cannot drift apart. */
    private static String readmePacket() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Matcher m = Pattern.compile("bin/bpf run examples/c/xdp_parser.o --maps --packet ([0-9a-f]+)").matcher(readme);
        assertTrue(m.find(), "the README's first command runs the XDP parser");
        return m.group(1);
    }

    @Test
    void theFirstCommandDropsTheTelnetPacketAndCountsOneTcpPacket() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = BpfCommand.run(new String[] {"run", ROOT.resolve("examples/c/xdp_parser.o").toString(), "--maps", "--packet", readmePacket()},
                        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        assertTrue(text.startsWith("r0 = 1 (0x1) XDP_DROP\n"), text);
        assertTrue(text.contains("  [6] = 1\n"), text);
    }

    @Test
    void theEmbeddingExampleRunsAsWritten() throws IOException {
        byte[] packetBytes = HexFormat.of().parseHex(readmePacket());
        try (Context context = Context.newBuilder("bpf").build()) {
            Value module = context.eval(Source.newBuilder("bpf", new File(ROOT.toFile(), "examples/c/xdp_parser.o")).build());
            long action = module.getMember("xdp_parse").execute(packetBytes).asLong();
            long tcpPackets = module.getMember("proto_counts").getArrayElement(6).asLong();
            assertEquals(1, action, "XDP_DROP");
            assertEquals(1, tcpPackets);
        }
    }
}
