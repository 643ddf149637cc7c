package org.trufflebpf.launcher;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.trufflebpf.fuzz.KernelDifferences;

/**
 * {@code bpf run FILE --pcap IN [--out OUT] [--engine E|all]}: runs a packet program once per captured packet through
 * the program's {@code execute} member, counts the verdicts by name, and writes the packets the program let through
 * as it left them. With {@code all}, every engine runs every packet and each packet where r0, the packet bytes or the
 * maps differ is reported.
 */
final class PcapRun {
    static final List<String> ALL_ENGINES = List.of("interpreter", "native", "kernel");

    /** One engine's program and module, in a context of its own. */
    private record Engine(String name, Context context, Value module, Value program) {
    }

    /** One run's outcome on one engine. */
    private record Outcome(long r0, byte[] packet, String maps) {
    }

    private PcapRun() {
    }

    /**
     * Runs and reports; returns the exit code (1 when engines differ).
     *
     * @param contexts a context builder for an engine name
     * @param engines the engines to run, the first one's results are counted and written
     * @param trace where the contexts' output went in JSON mode (the report is then one JSON document), else null
     * @param progress advanced packet by packet
     */
    static int run(List<CapturedPacket> packets, Path capture, Path outFile, Source source, String programName, Path file, List<String> engines,
                    Function<String, Context.Builder> contexts, boolean allSlots, ByteArrayOutputStream trace, Progress progress, PrintStream out) throws Exception {
        boolean json = trace != null;
        List<Engine> opened = new ArrayList<>();
        // Every context built is closed, also when loading into it fails (the kernel engine holds fds).
        List<Context> built = new ArrayList<>();
        try {
            for (String name : engines) {
                Context context = contexts.apply(name).build();
                built.add(context);
                Value module = context.eval(source);
                opened.add(new Engine(name, context, module, RunCommand.program(module, programName, file)));
            }
            Engine first = opened.get(0);
            String type = first.program().getMember("type").asString();
            if (type.equals("raw")) {
                throw new UsageException("--pcap runs packet programs (xdp, tc, socket filter); '" + first.program().getMember("name").asString() + "' is a raw-memory program");
            }
            Map<String, Integer> verdicts = new TreeMap<>();
            List<CapturedPacket> passed = new ArrayList<>();
            long keptBytes = 0;
            List<Map<String, Object>> differences = new ArrayList<>();
            int kernelRefused = 0;
            String firstRefusal = null;
            boolean compareMaps = opened.size() > 1;
            for (int index = 0; index < packets.size(); index++) {
                progress.update(index, packets.size(), null);
                CapturedPacket packet = packets.get(index);
                Outcome[] outcomes = new Outcome[opened.size()];
                for (int e = 0; e < opened.size(); e++) {
                    Engine engine = opened.get(e);
                    String refused = "kernel".equals(engine.name()) ? KernelDifferences.notRunReason(type, packet.data()) : null;
                    if (refused != null) {
                        // The kernel's test run refuses some packets a NIC would deliver (runts, cut IP headers).
                        kernelRefused++;
                        if (firstRefusal == null) {
                            firstRefusal = "packet " + index + ": " + refused;
                        }
                        continue;
                    }
                    outcomes[e] = runOnce(engine, type, packet.data(), compareMaps);
                }
                if (outcomes[0] == null) {
                    continue;
                }
                for (int e = 1; e < outcomes.length; e++) {
                    if (outcomes[e] == null) {
                        continue;
                    }
                    // The kernel reports r0 as a u32 (BPF_PROG_TEST_RUN's retval): only the low 32 bits compare.
                    String difference = difference(outcomes[0], outcomes[e], "kernel".equals(opened.get(e).name()));
                    if (difference != null) {
                        differences.add(JsonWriter.object("packet", (long) index, "engines", List.of(first.name(), opened.get(e).name()), "difference", difference));
                        if (!json) {
                            out.println("packet " + index + ": " + first.name() + " and " + opened.get(e).name() + " differ: " + difference);
                        }
                    }
                }
                Outcome outcome = outcomes[0];
                byte[] left = outcome.packet();
                if (type.equals("socket_filter")) {
                    // A socket filter keeps the first r0 bytes (all when r0 is larger); 0 drops the packet.
                    long kept = Math.min(Integer.toUnsignedLong((int) outcome.r0()), left.length);
                    verdicts.merge(kept == 0 ? "dropped" : kept == left.length ? "kept whole" : "kept truncated", 1, Integer::sum);
                    keptBytes += kept;
                    if (kept > 0) {
                        passed.add(new CapturedPacket(Arrays.copyOf(left, (int) kept), packet.timestampNanos(), packet.originalLength()));
                    }
                } else {
                    String name = RunCommand.actionName(type, outcome.r0());
                    verdicts.merge(name == null ? "r0 = " + outcome.r0() : name, 1, Integer::sum);
                    if (letThrough(name)) {
                        passed.add(new CapturedPacket(left, packet.timestampNanos(), packet.originalLength() - packet.data().length + left.length));
                    }
                }
            }
            progress.update(packets.size(), packets.size(), null);
            progress.close();
            if (json) {
                Map<String, Object> document = new LinkedHashMap<>();
                document.put("file", file.toString());
                document.put("program", first.program().getMember("name").asString());
                document.put("type", type);
                document.put("capture", capture.toString());
                document.put("packets", (long) packets.size());
                document.put("engines", engines.get(0) == null ? List.of("interpreter") : engines);
                document.put("verdicts", verdicts);
                if (type.equals("socket_filter")) {
                    document.put("bytes_kept", keptBytes);
                }
                document.put("kernel_refused", (long) kernelRefused);
                document.put("differences", differences);
                document.put("trace", RunCommand.traceLines(trace));
                document.put("maps", first.module().invokeMember("mapRecords", allSlots));
                if (outFile != null) {
                    PcapWriter.write(outFile, passed);
                    document.put("written", JsonWriter.object("file", outFile.toString(), "packets", (long) passed.size()));
                }
                out.println(JsonWriter.write(document));
                return differences.isEmpty() ? 0 : BpfCommand.EXIT_REJECTED;
            }
            out.println(packets.size() + " packets from " + capture + " through " + first.program().getMember("name").asString() + " (" + type + ") on "
                            + (engines.get(0) == null ? "the interpreter" : String.join(", ", engines)));
            int width = verdicts.keySet().stream().mapToInt(String::length).max().orElse(0);
            verdicts.forEach((name, count) -> out.printf("  %-" + width + "s %6d%n", name, count));
            if (type.equals("socket_filter")) {
                out.println("  bytes kept " + keptBytes + " of " + packets.stream().mapToLong(p -> p.data().length).sum());
            }
            if (kernelRefused > 0) {
                out.println("  the kernel's test run refused " + kernelRefused + " packets (" + firstRefusal + (kernelRefused > 1 ? ", ..." : "") + ")");
            }
            if (opened.size() > 1) {
                out.println(differences.isEmpty() ? "engines agree on every packet (r0, packet bytes, maps)" : differences.size() + " differences between engines");
            }
            out.print(first.module().invokeMember("mapDump", allSlots).asString());
            if (outFile != null) {
                PcapWriter.write(outFile, passed);
                out.println("wrote " + passed.size() + " packets to " + outFile);
            }
            return differences.isEmpty() ? 0 : BpfCommand.EXIT_REJECTED;
        } finally {
            for (Context context : built) {
                context.close();
            }
        }
    }

    /** Whether the packet goes on: XDP_PASS, XDP_TX and XDP_REDIRECT send it somewhere; tc drops on SHOT and STOLEN. */
    private static boolean letThrough(String action) {
        return action != null && !action.equals("XDP_DROP") && !action.equals("XDP_ABORTED") && !action.equals("TC_ACT_SHOT") && !action.equals("TC_ACT_STOLEN");
    }

    private static Outcome runOnce(Engine engine, String type, byte[] data, boolean withMaps) {
        // The kernel's socket-filter test run starts at the network header; the 14 bytes put in front make its
        // LD_ABS offsets count from the Ethernet header, as they do for a packet socket and on our engines.
        boolean kernel = "kernel".equals(engine.name());
        byte[] packet = kernel ? KernelDifferences.kernelPacket(type, data) : data.clone();
        // A writable buffer (not a byte[]) gets the packet back as the run left it.
        long r0 = engine.program().execute(ByteBuffer.wrap(packet)).asLong();
        if (kernel) {
            packet = KernelDifferences.comparablePacket(type, packet);
        }
        return new Outcome(r0, packet, withMaps ? sortedLines(engine.module().invokeMember("mapDump", true).asString()) : null);
    }

    /** The map dump with its lines sorted: hash maps list the same entries in each engine's own order. */
    private static String sortedLines(String dump) {
        return dump.lines().sorted().collect(Collectors.joining("\n", "", "\n"));
    }

    private static String difference(Outcome a, Outcome b, boolean lowBitsOnly) {
        if (lowBitsOnly ? (int) a.r0() != (int) b.r0() : a.r0() != b.r0()) {
            return "r0 " + a.r0() + " vs " + b.r0();
        }
        if (!Arrays.equals(a.packet(), b.packet())) {
            int at = Arrays.mismatch(a.packet(), b.packet());
            return "packet bytes from offset " + at + ": " + hexFrom(a.packet(), at) + " vs " + hexFrom(b.packet(), at);
        }
        if (!a.maps().equals(b.maps())) {
            return "maps\n" + a.maps() + "vs\n" + b.maps();
        }
        return null;
    }

    private static String hexFrom(byte[] bytes, int at) {
        return HexFormat.of().formatHex(bytes, Math.min(at, bytes.length), Math.min(bytes.length, at + 16));
    }
}
