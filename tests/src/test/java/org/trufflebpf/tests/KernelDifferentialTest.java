package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;
import org.trufflebpf.fuzz.KernelDifferences;
import org.trufflebpf.fuzz.ModuleFacts;

/**
 * Every C example run on all three engines over the README's packet: the same r0 and maps (as {@code bpf run
 * --maps} prints them) and the same packet afterwards (a socket filter's from its network header, as
 * {@link KernelDifferences} explains).
 */
class KernelDifferentialTest {
    @Test
    void everyCExampleTheKernelAcceptsGivesTheSameR0PacketAndMapsOnAllThreeEngines() throws IOException {
        KernelEngineTest.assumeKernel();
        List<Path> objects;
        try (Stream<Path> files = Files.list(KernelEngineTest.ROOT.resolve("examples/c"))) {
            objects = files.filter(f -> f.toString().endsWith(".o")).sorted().toList();
        }
        List<String> compared = new ArrayList<>();
        List<String> notCompared = new ArrayList<>();
        for (Path object : objects) {
            List<String[]> programs;
            try {
                programs = packetPrograms(object);
            } catch (PolyglotException e) {
                // Nothing to compare the kernel with where our engines do not load the object.
                notCompared.add(object.getFileName() + " (our engines: " + e.getMessage() + ")");
                continue;
            }
            for (String[] nameAndType : programs) {
                String program = nameAndType[0];
                String where = object.getFileName() + ":" + program;
                KernelEngineTest.Outcome kernel = KernelEngineTest.bpf("run", object.toString(), "--program", program, "--maps", "--packet",
                                KernelEngineTest.README_PACKET, "--engine", "kernel");
                if (kernel.exit() != 0) {
                    // A kernel rejection is one line, never a stack trace.
                    assertEquals(1, kernel.err().lines().count(), where + ": " + kernel.err());
                    notCompared.add(where + " (" + kernel.err().strip() + ")");
                    continue;
                }
                String type = nameAndType[1];
                byte[] packet = HexFormat.of().parseHex(KernelEngineTest.README_PACKET);
                String kernelPacket = packetAfter(object, program, "kernel", packet, type);
                String ourPacketHex = HexFormat.of().formatHex(ourInput(type, packet));
                for (String engine : new String[] {"interpreter", "native"}) {
                    KernelEngineTest.Outcome other = KernelEngineTest.bpf("run", object.toString(), "--program", program, "--maps", "--packet",
                                    ourPacketHex, "--engine", engine);
                    assertEquals(other, kernel, where + ": " + engine + " against kernel");
                    assertEquals(packetAfter(object, program, engine, ourInput(type, packet), type), kernelPacket,
                                    where + ": packet after the run, " + engine + " against kernel");
                }
                compared.add(where);
            }
        }
        System.out.println("kernel three-way: compared " + compared + "; not compared " + notCompared);
        assertTrue(compared.size() >= 2, "compared " + compared + ", not compared " + notCompared);
    }

    /** Name and type of the object's programs with a packet context (raw-memory programs have no kernel counterpart). */
    private static List<String[]> packetPrograms(Path object) {
        List<String[]> names = new ArrayList<>();
        try (Context context = Context.newBuilder("bpf").build()) {
            Value module = context.eval(Source.newBuilder("bpf", object.toFile()).buildLiteral());
            for (String key : module.getMemberKeys()) {
                Value member = module.getMember(key);
                if (member.canExecute() && !member.getMember("type").asString().equals("raw")) {
                    names.add(new String[] {key, member.getMember("type").asString()});
                }
            }
        }
        return names;
    }

    /** What our engines get for the kernel's run over {@code packet}: a socket filter's starts at the network header. */
    private static byte[] ourInput(String type, byte[] packet) {
        return type.equals(ModuleFacts.SOCKET_FILTER) ? Arrays.copyOfRange(packet, KernelDifferences.SOCKET_FILTER_HEADER_BYTES, packet.length) : packet;
    }

    /** The packet as the run left it (the comparable part of it for the kernel), or the run's error. */
    private static String packetAfter(Path object, String program, String engine, byte[] input, String type) {
        ByteBuffer packet = ByteBuffer.allocateDirect(input.length);
        packet.put(input).clear();
        try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine)
                        .allowHostAccess(HostAccess.newBuilder().allowBufferAccess(true).build()).build()) {
            Value module = context.eval(Source.newBuilder("bpf", new File(object.toString())).buildLiteral());
            module.getMember(program).execute(packet);
            byte[] bytes = new byte[packet.capacity()];
            packet.get(0, bytes);
            return HexFormat.of().formatHex(engine.equals("kernel") ? KernelDifferences.comparablePacket(type, bytes) : bytes);
        } catch (PolyglotException e) {
            return e.getMessage();
        }
    }
}
