package org.trufflebpf.launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the Ethernet packets of a classic pcap file (either byte order, micro- or nanosecond timestamps) or a pcapng
 * file (section header, interface description, enhanced and simple packet blocks; other blocks skipped). The file is
 * read whole under {@link #MAX_CAPTURE_BYTES}, and every length is checked against what is left before it is used, so
 * a malformed file is one line naming the file and record, never a large allocation.
 */
final class PcapReader {
    static final long MAX_CAPTURE_BYTES = 256L << 20;
    /** The largest packet any capture tool writes (tcpdump's and Wireshark's maximum snaplen). */
    static final int MAX_PACKET_BYTES = 262144;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int PCAP_MICROS = 0xa1b2c3d4;
    private static final int PCAP_NANOS = 0xa1b23c4d;
    private static final int PCAPNG_SECTION = 0x0a0d0d0a;
    private static final int PCAPNG_BYTE_ORDER = 0x1a2b3c4d;

    private final Path file;
    private final ByteBuffer in;

    private PcapReader(Path file, byte[] bytes) {
        this.file = file;
        this.in = ByteBuffer.wrap(bytes);
    }

    /** Every packet of {@code file}, in order. */
    static List<CapturedPacket> read(Path file) throws IOException, BadInputException {
        return parse(file, InputFiles.read(file, MAX_CAPTURE_BYTES, "a capture"));
    }

    static List<CapturedPacket> parse(Path file, byte[] bytes) throws BadInputException {
        PcapReader reader = new PcapReader(file, bytes);
        if (bytes.length < 4) {
            throw reader.bad("too short for a capture (" + bytes.length + " bytes)");
        }
        int magic = reader.in.order(ByteOrder.BIG_ENDIAN).getInt(0);
        if (magic == PCAPNG_SECTION) {
            return reader.pcapng();
        }
        for (ByteOrder order : new ByteOrder[]{ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            int value = reader.in.order(order).getInt(0);
            if (value == PCAP_MICROS || value == PCAP_NANOS) {
                return reader.pcap(value == PCAP_NANOS);
            }
        }
        throw reader.bad(String.format("not a pcap or pcapng file (magic 0x%08x)", magic));
    }

    private List<CapturedPacket> pcap(boolean nanos) throws BadInputException {
        if (in.remaining() < 24) {
            throw bad("the pcap file header is cut short (" + in.remaining() + " of 24 bytes)");
        }
        in.position(16);
        long snaplen = Integer.toUnsignedLong(in.getInt());
        checkLinkType(in.getInt() & 0xffff, "the file header");
        List<CapturedPacket> packets = new ArrayList<>();
        for (int index = 0; in.hasRemaining(); index++) {
            if (in.remaining() < 16) {
                throw badRecord(index, "its header is cut short (" + in.remaining() + " of 16 bytes)");
            }
            long seconds = Integer.toUnsignedLong(in.getInt());
            long fraction = Integer.toUnsignedLong(in.getInt());
            long captured = Integer.toUnsignedLong(in.getInt());
            long original = Integer.toUnsignedLong(in.getInt());
            checkCapturedLength(index, captured, snaplen);
            if (captured > in.remaining()) {
                throw badRecord(index, "it is cut short (" + in.remaining() + " of " + captured + " bytes)");
            }
            byte[] data = new byte[(int) captured];
            in.get(data);
            packets.add(new CapturedPacket(data, seconds * 1_000_000_000L + fraction * (nanos ? 1 : 1000), (int) Math.min(original, Integer.MAX_VALUE)));
        }
        return packets;
    }

    private List<CapturedPacket> pcapng() throws BadInputException {
        List<CapturedPacket> packets = new ArrayList<>();
        List<long[]> interfaces = new ArrayList<>(); // per interface: snaplen, nanoseconds per tick
        int packetIndex = 0;
        in.order(ByteOrder.BIG_ENDIAN);
        for (int block = 0; in.hasRemaining(); block++) {
            int start = in.position();
            if (in.remaining() < 12) {
                throw badBlock(block, "its header is cut short (" + in.remaining() + " of 12 bytes)");
            }
            // The section header's type reads the same in either byte order (0a 0d 0d 0a).
            int type = in.getInt(start);
            if (type == PCAPNG_SECTION) {
                // The byte-order magic decides how this section's lengths read, the block length included.
                int magic = in.getInt(start + 8);
                if (magic == PCAPNG_BYTE_ORDER) {
                    in.order(ByteOrder.BIG_ENDIAN);
                } else if (Integer.reverseBytes(magic) == PCAPNG_BYTE_ORDER) {
                    in.order(ByteOrder.LITTLE_ENDIAN);
                } else {
                    throw badBlock(block, String.format("section header has a bad byte-order magic 0x%08x", magic));
                }
                interfaces.clear();
            } else if (block == 0) {
                throw badBlock(block, "a pcapng file starts with a section header");
            }
            type = in.getInt(start);
            long length = Integer.toUnsignedLong(in.getInt(start + 4));
            if (length < 12 || length % 4 != 0 || length > in.remaining()) {
                throw badBlock(block, "its length " + length + " is not a multiple of 4 from 12 to the " + in.remaining() + " bytes left");
            }
            if (Integer.toUnsignedLong(in.getInt(start + (int) length - 4)) != length) {
                throw badBlock(block, "its trailing length differs from its leading length " + length);
            }
            int body = start + 8;
            int bodyLength = (int) length - 12;
            if (type == 1) { // interface description
                if (bodyLength < 8) {
                    throw badBlock(block, "interface description is cut short");
                }
                checkLinkType(in.getShort(body) & 0xffff, "interface " + interfaces.size());
                long snaplen = Integer.toUnsignedLong(in.getInt(body + 4));
                interfaces.add(new long[]{snaplen == 0 ? MAX_PACKET_BYTES : snaplen, nanosPerTick(body + 8, bodyLength - 8, block)});
            } else if (type == 6 || type == 3) { // enhanced, simple packet
                packets.add(type == 6 ? enhancedPacket(body, bodyLength, interfaces, block, packetIndex) : simplePacket(body, bodyLength, interfaces, block, packetIndex));
                packetIndex++;
            }
            in.position(start + (int) length);
        }
        return packets;
    }

    private CapturedPacket enhancedPacket(int body, int bodyLength, List<long[]> interfaces, int block, int index) throws BadInputException {
        if (bodyLength < 20) {
            throw badRecord(index, "enhanced packet block " + block + " is cut short");
        }
        long interfaceId = Integer.toUnsignedLong(in.getInt(body));
        if (interfaceId >= interfaces.size()) {
            throw badRecord(index, "it names interface " + interfaceId + ", but the section describes " + interfaces.size());
        }
        long[] described = interfaces.get((int) interfaceId);
        long ticks = (Integer.toUnsignedLong(in.getInt(body + 4)) << 32) | Integer.toUnsignedLong(in.getInt(body + 8));
        long captured = Integer.toUnsignedLong(in.getInt(body + 12));
        long original = Integer.toUnsignedLong(in.getInt(body + 16));
        checkCapturedLength(index, captured, described[0]);
        if (captured > bodyLength - 20) {
            throw badRecord(index, "its " + captured + " captured bytes overrun its block (" + (bodyLength - 20) + " bytes)");
        }
        byte[] data = new byte[(int) captured];
        in.get(body + 20, data);
        return new CapturedPacket(data, ticks * described[1], (int) Math.min(original, Integer.MAX_VALUE));
    }

    private CapturedPacket simplePacket(int body, int bodyLength, List<long[]> interfaces, int block, int index) throws BadInputException {
        if (interfaces.isEmpty()) {
            throw badRecord(index, "simple packet block " + block + " comes before any interface description");
        }
        if (bodyLength < 4) {
            throw badRecord(index, "simple packet block " + block + " is cut short");
        }
        long original = Integer.toUnsignedLong(in.getInt(body));
        // A simple packet holds min(original length, snaplen) bytes, padded to 4.
        long captured = Math.min(original, Math.min(interfaces.get(0)[0], bodyLength - 4));
        checkCapturedLength(index, captured, interfaces.get(0)[0]);
        byte[] data = new byte[(int) captured];
        in.get(body + 4, data);
        return new CapturedPacket(data, 0, (int) Math.min(original, Integer.MAX_VALUE));
    }

    /** The interface's timestamp unit from its if_tsresol option (code 9), microseconds without one. */
    private long nanosPerTick(int options, int length, int block) throws BadInputException {
        int end = options + length;
        int at = options;
        while (at + 4 <= end) {
            int code = in.getShort(at) & 0xffff;
            int optionLength = in.getShort(at + 2) & 0xffff;
            if (code == 0) {
                break;
            }
            if (at + 4 + optionLength > end) {
                throw badBlock(block, "option " + code + " overruns its block");
            }
            if (code == 9 && optionLength >= 1) {
                int resolution = in.get(at + 4) & 0xff;
                int exponent = resolution & 0x7f;
                boolean binary = (resolution & 0x80) != 0;
                // Finer than a nanosecond is read as nanoseconds; a coarser one as whole units of it.
                if (binary) {
                    return exponent >= 30 ? 1 : Math.max(1, 1_000_000_000L >> exponent);
                }
                return exponent >= 9 ? 1 : (long) Math.pow(10, 9 - exponent);
            }
            at += 4 + ((optionLength + 3) & ~3);
        }
        return 1000;
    }

    private void checkLinkType(int linkType, String where) throws BadInputException {
        if (linkType != LINKTYPE_ETHERNET) {
            throw bad(where + " gives link type " + linkType + "; only Ethernet (1) captures can be run");
        }
    }

    private void checkCapturedLength(int index, long captured, long snaplen) throws BadInputException {
        if (captured > MAX_PACKET_BYTES) {
            throw badRecord(index, "its captured length " + captured + " is over the " + MAX_PACKET_BYTES + "-byte maximum");
        }
        if (snaplen != 0 && captured > snaplen) {
            throw badRecord(index, "its captured length " + captured + " is over the snapshot length " + snaplen);
        }
    }

    private BadInputException bad(String problem) {
        return new BadInputException(file + ": " + problem);
    }

    private BadInputException badRecord(int index, String problem) {
        return bad("packet " + index + ": " + problem);
    }

    private BadInputException badBlock(int block, String problem) {
        return bad("block " + block + ": " + problem);
    }
}
