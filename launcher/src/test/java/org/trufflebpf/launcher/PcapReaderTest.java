package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Classic pcap and pcapng files read to the same packets; malformed ones are one line naming the file and record. */
class PcapReaderTest {
    @TempDir Path dir;

    static Path capture(String name) {
        Path here = Path.of("").toAbsolutePath();
        while (here != null && !Files.isDirectory(here.resolve("examples/pcap"))) {
            here = here.getParent();
        }
        assertTrue(here != null, "examples/pcap not found above the working directory");
        return here.resolve("examples/pcap").resolve(name);
    }

    @Test
    void theThreeExampleFormatsHoldTheSamePacketsAndTimes() throws Exception {
        List<CapturedPacket> micros = PcapReader.read(capture("mixed.pcap"));
        List<CapturedPacket> nanosBigEndian = PcapReader.read(capture("mixed-be-nanos.pcap"));
        List<CapturedPacket> pcapng = PcapReader.read(capture("mixed.pcapng"));
        assertEquals(24, micros.size());
        assertEquals(24, nanosBigEndian.size());
        assertEquals(24, pcapng.size());
        for (int i = 0; i < 24; i++) {
            assertArrayEquals(micros.get(i).data(), nanosBigEndian.get(i).data(), "packet " + i);
            assertArrayEquals(micros.get(i).data(), pcapng.get(i).data(), "packet " + i);
            assertEquals(micros.get(i).timestampNanos(), nanosBigEndian.get(i).timestampNanos(), "packet " + i);
            // Packet 5 is a simple packet block, which has no timestamp.
            assertEquals(i == 5 ? 0 : micros.get(i).timestampNanos(), pcapng.get(i).timestampNanos(), "packet " + i);
        }
        // make_captures.py: packet i at 1700000000 + i seconds and 1000 * i + 7 microseconds.
        assertEquals((1_700_000_003L * 1_000_000 + 3007) * 1000, micros.get(3).timestampNanos());
        assertEquals(42, micros.get(19).data().length); // the second ARP request: 14 + 28 bytes
    }

    @Test
    void writtenPacketsReadBackUnchanged() throws Exception {
        List<CapturedPacket> packets = PcapReader.read(capture("mixed.pcapng"));
        Path out = dir.resolve("copy.pcap");
        PcapWriter.write(out, packets);
        List<CapturedPacket> back = PcapReader.read(out);
        assertEquals(packets.size(), back.size());
        for (int i = 0; i < packets.size(); i++) {
            assertArrayEquals(packets.get(i).data(), back.get(i).data());
            assertEquals(packets.get(i).timestampNanos(), back.get(i).timestampNanos());
            assertEquals(packets.get(i).originalLength(), back.get(i).originalLength());
        }
    }

    private String error(byte[] bytes) {
        BadInputException e = assertThrows(BadInputException.class, () -> PcapReader.parse(Path.of("bad.pcap"), bytes));
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    private static byte[] example(String name) throws IOException {
        return Files.readAllBytes(capture(name));
    }

    @Test
    void aBadMagicIsNamed() {
        assertEquals("bad.pcap: not a pcap or pcapng file (magic 0x7f454c46)", error(new byte[] {0x7f, 'E', 'L', 'F', 0, 0, 0, 0}));
        assertEquals("bad.pcap: too short for a capture (2 bytes)", error(new byte[] {1, 2}));
    }

    @Test
    void aTruncatedRecordNamesItsIndex() throws IOException {
        byte[] whole = example("mixed.pcap");
        assertEquals("bad.pcap: packet 23: it is cut short (61 of 62 bytes)", error(Arrays.copyOf(whole, whole.length - 1)));
        // Cut inside the first record's header.
        assertEquals("bad.pcap: packet 0: its header is cut short (10 of 16 bytes)", error(Arrays.copyOf(whole, 34)));
        assertEquals("bad.pcap: the pcap file header is cut short (20 of 24 bytes)", error(Arrays.copyOf(whole, 20)));
    }

    @Test
    void aCapturedLengthOverTheSnapshotLengthOrHugeIsRefusedBeforeAllocating() throws IOException {
        byte[] bytes = example("mixed.pcap");
        ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        view.putInt(16, 40); // snaplen 40, below the first packet's 42 bytes
        assertEquals("bad.pcap: packet 0: its captured length 42 is over the snapshot length 40", error(bytes));
        view.putInt(16, 65535);
        view.putInt(24 + 8, -1); // caplen 4 GiB - 1
        assertEquals("bad.pcap: packet 0: its captured length 4294967295 is over the 262144-byte maximum", error(bytes));
    }

    @Test
    void otherLinkTypesAreRefused() throws IOException {
        byte[] bytes = example("mixed.pcap");
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(20, 113); // Linux cooked capture
        assertEquals("bad.pcap: the file header gives link type 113; only Ethernet (1) captures can be run", error(bytes));
    }

    @Test
    void malformedPcapngBlocksAreNamed() throws IOException {
        byte[] whole = example("mixed.pcapng");
        assertEquals("bad.pcap: block 25: its length 96 is not a multiple of 4 from 12 to the 95 bytes left", error(Arrays.copyOf(whole, whole.length - 1)));
        byte[] huge = whole.clone();
        // The interface block (after the 28-byte section header) claims 2 GiB.
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putInt(28 + 4, 0x7ffffffc);
        assertTrue(error(huge).startsWith("bad.pcap: block 1: its length 2147483644 is not a multiple of 4 from 12 to the "), error(huge));
        byte[] badOrder = whole.clone();
        badOrder[8] = 0;
        assertEquals("bad.pcap: block 0: section header has a bad byte-order magic 0x003c2b1a", error(badOrder));
        byte[] noInterface = whole.clone();
        // The first enhanced packet block names interface 1 of one.
        ByteBuffer.wrap(noInterface).order(ByteOrder.LITTLE_ENDIAN).putInt(28 + 32 + 8, 1);
        assertEquals("bad.pcap: packet 0: it names interface 1, but the section describes 1", error(noInterface));
    }
}
