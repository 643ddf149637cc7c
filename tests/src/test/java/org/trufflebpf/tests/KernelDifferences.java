package org.trufflebpf.tests;

import java.util.Arrays;
import java.util.Map;

/**
 * The one place where the kernel engine may differ from ours by design, with why. A listed program is still
 * loaded and run on all three engines (so it must be accepted and run without error); only the comparison of
 * its results is skipped.
 */
final class KernelDifferences {
    private KernelDifferences() {
    }

    /**
     * BPF_PROG_TEST_RUN starts a socket filter's skb at the network header (skb->data after the Ethernet header,
     * skb->len 14 bytes shorter) and hands the packet back with those 14 bytes zeroed; our engines give a socket
     * filter the whole packet. So a socket filter's kernel run over a packet is compared with our engines' run
     * over the same packet without its first {@value} bytes, and only the bytes after them are compared.
     */
    static final int SOCKET_FILTER_HEADER_BYTES = 14;

    /** By "file:program": programs whose results are not compared, and why. */
    private static final Map<String, String> BY_PROGRAM = Map.of();

    /** Why the program may give other results in the kernel, or null when it must not. */
    static String reason(String file, String program) {
        return BY_PROGRAM.get(file + ":" + program);
    }

    /** The input our engines get for the kernel's run over {@code packet}. */
    static byte[] ourInput(String type, byte[] packet) {
        return type.equals("socket_filter") ? Arrays.copyOfRange(packet, SOCKET_FILTER_HEADER_BYTES, packet.length) : packet;
    }

    /** The part of the kernel's packet after the run that corresponds to our engines' packet. */
    static byte[] comparableKernelPacket(String type, byte[] packet) {
        return type.equals("socket_filter") ? Arrays.copyOfRange(packet, SOCKET_FILTER_HEADER_BYTES, packet.length) : packet;
    }
}
