package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.trufflebpf.kernel.KernelEngineService;

/**
 * Each packet helper case (src/test/resources/packet-helpers: one helper's result, and a packet field or the
 * perf event records after it) run over the README's packet gives the kernel's r0 and records as recorded from
 * Linux 6.18 ({@code # kernel r0:}, low 32 bits, which is all BPF_PROG_TEST_RUN returns; {@code # kernel perf:}),
 * and the packet handed back ({@code # kernel packet:}), on the interpreter and the native engine, and on the
 * kernel engine itself where bpf(2) works.
 */
class PacketHelpersTest {
    private static final Pattern R0 = Pattern.compile("^# kernel r0: 0x([0-9a-f]+)$", Pattern.MULTILINE);
    private static final Pattern PERF = Pattern.compile("^# kernel perf: (.*)$", Pattern.MULTILINE);
    private static final Pattern PACKET = Pattern.compile("^# kernel packet: ([0-9a-f]+)$", Pattern.MULTILINE);
    private static final Pattern RUN_R0 = Pattern.compile("^r0 = -?\\d+ \\(0x([0-9a-f]+)\\)", Pattern.MULTILINE);

    private static boolean kernelAvailable() {
        return new KernelEngineService().unavailableReason() == null && !"1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL"));
    }

    /** The README packet as a run on {@code engine} hands it back in the caller's buffer. */
    private static String packetAfter(Path file, String engine) throws IOException {
        byte[] input = HexFormat.of().parseHex(KernelEngineTest.README_PACKET);
        ByteBuffer packet = ByteBuffer.allocateDirect(input.length);
        packet.put(input).clear();
        try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine)
                        .allowHostAccess(HostAccess.newBuilder().allowBufferAccess(true).build()).build()) {
            Value module = context.eval(Source.newBuilder("bpf", file.toFile()).build());
            module.getMember("main").execute(packet);
        }
        byte[] out = new byte[input.length];
        packet.get(0, out);
        return HexFormat.of().formatHex(out);
    }

    @TestFactory
    Stream<DynamicTest> everyEngineGivesTheKernelsRecordedResult() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(Path.of("src/test/resources/packet-helpers"))) {
            files = list.filter(p -> p.toString().endsWith(".s")).sorted().toList();
        }
        List<String> engines = new ArrayList<>(List.of("interpreter", "native"));
        if (kernelAvailable()) {
            engines.add("kernel");
        }
        return files.stream().flatMap(file -> engines.stream().map(engine -> DynamicTest.dynamicTest(file.getFileName() + " on " + engine, () -> {
            String text = Files.readString(file);
            Matcher expected = R0.matcher(text);
            assertNotNull(expected.find() ? expected.group(1) : null, "no '# kernel r0' line");
            KernelEngineTest.Outcome run = KernelEngineTest.bpf("run", file.toString(), "--maps", "--packet", KernelEngineTest.README_PACKET, "--engine", engine);
            assertEquals(0, run.exit(), run.err());
            Matcher r0 = RUN_R0.matcher(run.out());
            assertNotNull(r0.find() ? r0.group(1) : null, run.out());
            assertEquals(Long.parseLong(expected.group(1), 16), Long.parseUnsignedLong(r0.group(1), 16) & 0xffff_ffffL, run.out());
            Matcher packet = PACKET.matcher(text);
            if (packet.find()) {
                assertEquals(packet.group(1), packetAfter(file, engine), "the packet handed back");
            }
            Matcher perf = PERF.matcher(text);
            if (perf.find()) {
                String records = perf.group(1).equals("none") ? ": 0 records\n" : ": 1 record\n  cpu 0: " + perf.group(1) + "\n";
                assertEquals(1, run.out().split(Pattern.quote(records), -1).length - 1, run.out());
            }
        })));
    }
}
