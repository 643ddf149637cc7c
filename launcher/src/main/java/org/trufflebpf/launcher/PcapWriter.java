package org.trufflebpf.launcher;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes packets as a classic little-endian pcap file with nanosecond timestamps and Ethernet link type. */
final class PcapWriter {
    private PcapWriter() {
    }

    static void write(Path file, List<CapturedPacket> packets) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(0xa1b23c4d).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(PcapReader.MAX_PACKET_BYTES).putInt(1);
            out.write(header.array());
            for (CapturedPacket packet : packets) {
                ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                long nanos = packet.timestampNanos();
                record.putInt((int) (nanos / 1_000_000_000L)).putInt((int) (nanos % 1_000_000_000L)).putInt(packet.data().length).putInt(packet.originalLength());
                out.write(record.array());
                out.write(packet.data());
            }
        }
    }
}
