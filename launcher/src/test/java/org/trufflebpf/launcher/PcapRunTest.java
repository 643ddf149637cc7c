package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trufflebpf.fuzz.DifferentialRunner;

/**
 * {@code bpf run --pcap}: each example program over the example capture gives the same verdict counts and maps on
 * every engine here, {@code --engine all} finds no difference, and {@code --out} writes the packets as left.
 */
class PcapRunTest {
    @TempDir Path dir;

    private record Result(int exit, String out, String err) {
    }

    private static Result bpf(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = BpfCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String example(String name) {
        return PcapReaderTest.capture("mixed.pcap").getParent().resolveSibling("c").resolve(name).toString();
    }

    private static final boolean KERNEL = !"1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL")) && DifferentialRunner.probeKernel(Map.of()) == null;

    private static List<String> engines() {
        List<String> engines = new ArrayList<>(List.of("interpreter", "native"));
        if (KERNEL) {
            engines.add("kernel");
        }
        return engines;
    }

    private static Result runOn(String engine, String... programAndOptions) {
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(Arrays.asList(programAndOptions));
        args.addAll(List.of("--pcap", PcapReaderTest.capture("mixed.pcapng").toString(), "--engine", engine));
        Result r = bpf(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.toString());
        return r;
    }

    @Test
    void xdpProtocolCounterCountsVerdictsAndProtocolsOnEveryEngine() {
        for (String engine : engines()) {
            String out = runOn(engine, example("pcap_xdp_protocols.o")).out();
            assertTrue(out.contains("  XDP_DROP      2\n  XDP_PASS     19\n  XDP_TX        3\n"), engine + ":\n" + out);
            // ARP 2, TCP 9 (the runt IPv4 packet is 'other'), UDP 6, ICMP 3, GRE 1, IPv6 2.
            assertTrue(out.contains("  [1] = {packets: 2, bytes: 84}\n  [2] = {packets: 9, bytes: 928}\n  [3] = {packets: 6, bytes: 355}\n  [4] = {packets: 3, bytes: 174}\n"),
                            engine + ":\n" + out);
        }
    }

    @Test
    void tcPortFilterDropsBlockedPortsOnEveryEngine() {
        for (String engine : engines()) {
            String out = runOn(engine, example("pcap_tc_ports.o")).out();
            // The kernel's test run refuses the 16-byte packet with a cut IPv4 header; our engines pass it.
            assertTrue(out.contains(engine.equals("kernel") ? "  TC_ACT_OK       19\n  TC_ACT_SHOT      4\n  the kernel's test run refused 1 packets (packet 13: "
                            : "  TC_ACT_OK       20\n  TC_ACT_SHOT      4\n"), engine + ":\n" + out);
            assertTrue(out.contains("  23 => 2\n") && out.contains("  6000 => 2\n") && out.contains("  ssh_marked = 2\n"), engine + ":\n" + out);
        }
    }

    @Test
    void ldAbsSocketFilterKeepsUdpWholeAndTcpHeadersOnEveryEngine() {
        for (String engine : engines()) {
            String out = runOn(engine, example("pcap_socket_ldabs.o")).out();
            assertTrue(out.contains("  dropped             9\n  kept truncated      7\n  kept whole          8\n  bytes kept 841 of 1723\n"), engine + ":\n" + out);
            assertTrue(out.contains("  seen = 24\n"), engine + ":\n" + out);
        }
    }

    @Test
    void tailCallDispatcherReachesEachProtocolsHandlerOnEveryEngine() {
        for (String engine : engines()) {
            String out = runOn(engine, example("pcap_tail_dispatch.o"), "--program", "dispatch").out();
            assertTrue(out.contains("  XDP_DROP      3\n  XDP_PASS     21\n"), engine + ":\n" + out);
            // Not dispatched: 2 ARP, 2 IPv6, the runt IPv4 packet, GRE (an empty slot).
            for (String count : List.of("not_dispatched = 6", "tcp_packets = 9", "udp_packets = 6", "icmp_packets = 3")) {
                assertTrue(out.contains(count), engine + ": " + count + "\n" + out);
            }
        }
    }

    @Test
    void engineAllFindsNoDifferenceOnAnyExample() {
        for (String[] program : List.of(new String[] {example("pcap_xdp_protocols.o")}, new String[] {example("pcap_tc_ports.o")},
                        new String[] {example("pcap_socket_ldabs.o")}, new String[] {example("pcap_tail_dispatch.o"), "--program", "dispatch"})) {
            Result r = runOn("all", program);
            assertTrue(r.out().contains(" on " + String.join(", ", engines()) + "\n"), r.toString());
            assertTrue(r.out().contains("engines agree on every packet (r0, packet bytes, maps)\n"), r.toString());
        }
    }

    private List<CapturedPacket> runWithOut(String... program) throws Exception {
        Path out = dir.resolve("out.pcap");
        List<String> args = new ArrayList<>(Arrays.asList(program));
        args.addAll(List.of("--out", out.toString()));
        String printed = runOn("interpreter", args.toArray(String[]::new)).out();
        List<CapturedPacket> written = PcapReader.read(out);
        assertTrue(printed.contains("wrote " + written.size() + " packets to " + out + "\n"), printed);
        return written;
    }

    @Test
    void outWritesXdpPacketsAsLeftWithoutTheDroppedOnes() throws Exception {
        List<CapturedPacket> in = PcapReader.read(PcapReaderTest.capture("mixed.pcapng"));
        List<CapturedPacket> out = runWithOut(example("pcap_xdp_protocols.o"));
        // Packets 6 and 17 (UDP to port 9) are dropped; ICMP echoes (4, 10, 18) go back with their MACs swapped.
        assertEquals(22, out.size());
        int o = 0;
        for (int i = 0; i < in.size(); i++) {
            if (i == 6 || i == 17) {
                continue;
            }
            byte[] expected = in.get(i).data().clone();
            if (i == 4 || i == 10 || i == 18) {
                System.arraycopy(in.get(i).data(), 6, expected, 0, 6);
                System.arraycopy(in.get(i).data(), 0, expected, 6, 6);
            }
            assertArrayEquals(expected, out.get(o).data(), "packet " + i);
            assertEquals(in.get(i).timestampNanos(), out.get(o).timestampNanos(), "packet " + i);
            o++;
        }
    }

    @Test
    void outWritesTcPacketsWithTheTosMarkAndAValidChecksum() throws Exception {
        List<CapturedPacket> in = PcapReader.read(PcapReaderTest.capture("mixed.pcapng"));
        List<CapturedPacket> out = runWithOut(example("pcap_tc_ports.o"));
        assertEquals(20, out.size());
        // Packet 1 (TCP to port 22) is the second written, after the ARP request.
        byte[] ssh = out.get(1).data();
        assertEquals(0x40, ssh[15] & 0xff);
        int sum = 0;
        for (int i = 14; i < 34; i += 2) {
            sum += (ssh[i] & 0xff) << 8 | ssh[i + 1] & 0xff;
        }
        while (sum >> 16 != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        assertEquals(0xffff, sum, "IPv4 header checksum");
        assertArrayEquals(Arrays.copyOfRange(in.get(1).data(), 34, in.get(1).data().length), Arrays.copyOfRange(ssh, 34, ssh.length));
    }

    @Test
    void outTruncatesSocketFilterPacketsToTheKeptLength() throws Exception {
        List<CapturedPacket> in = PcapReader.read(PcapReaderTest.capture("mixed.pcapng"));
        List<CapturedPacket> out = runWithOut(example("pcap_socket_ldabs.o"));
        assertEquals(15, out.size());
        // Packet 1 is TCP (kept to 54 bytes), packet 3 UDP (kept whole); ARP (packet 0) is dropped.
        assertArrayEquals(Arrays.copyOf(in.get(1).data(), 54), out.get(0).data());
        assertEquals(in.get(1).originalLength(), out.get(0).originalLength());
        assertArrayEquals(in.get(3).data(), out.get(2).data());
    }

    @Test
    void aMalformedCaptureIsOneLineWithExitCodeOne() throws Exception {
        Path bad = dir.resolve("bad.pcap");
        Files.write(bad, new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2, 0});
        Result r = bpf("run", example("pcap_xdp_protocols.o"), "--pcap", bad.toString());
        assertEquals(1, r.exit(), r.toString());
        assertEquals(bad + ": the pcap file header is cut short (6 of 24 bytes)\n", r.err());
    }

    @Test
    void outWithoutPcapAndEngineAllWithoutPcapAreUsageErrors() {
        Result out = bpf("run", example("pcap_xdp_protocols.o"), "--out", dir.resolve("x.pcap").toString());
        assertEquals(2, out.exit(), out.toString());
        assertTrue(out.err().contains("--out goes with --pcap"), out.err());
        Result all = bpf("run", example("pcap_xdp_protocols.o"), "--engine", "all");
        assertEquals(2, all.exit(), all.toString());
        assertTrue(all.err().contains("--engine all goes with --pcap"), all.err());
    }

    @Test
    void theReadmeSectionShowsWhatTheCommandPrints() throws Exception {
        String readme = Files.readString(PcapReaderTest.capture("mixed.pcap").getParent().getParent().getParent().resolve("README.md"));
        String command = "$ bin/bpf run examples/c/pcap_tc_ports.o --pcap examples/pcap/mixed.pcap --out /tmp/passed.pcap\n";
        int start = readme.indexOf(command);
        assertTrue(start >= 0, "README shows no pcap run");
        String printed = readme.substring(start + command.length(), readme.indexOf("```", start));
        Path out = dir.resolve("passed.pcap");
        Result r = bpf("run", example("pcap_tc_ports.o"), "--pcap", PcapReaderTest.capture("mixed.pcap").toString(), "--out", out.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals(printed, r.out().replace(PcapReaderTest.capture("mixed.pcap").toString(), "examples/pcap/mixed.pcap").replace(out.toString(), "/tmp/passed.pcap"));
    }
}
