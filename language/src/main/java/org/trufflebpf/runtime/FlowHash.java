package org.trufflebpf.runtime;

/**
 * Our stand-in for the kernel's flow hash (skb_get_hash): a fixed function of the flow keys the kernel's flow
 * dissector takes from an Ethernet packet (IPv4 addresses and protocol, TCP/UDP ports; the EtherType otherwise),
 * with its properties: both directions of a flow hash alike (the lower address and port go first) and the hash
 * is never 0. The kernel's values also depend on a secret chosen at boot, so no fixed function can match them.
 */
final class FlowHash {
    private FlowHash() {
    }

    private static final int ETH_HLEN = 14;
    private static final int FNV_OFFSET = 0x811c9dc5;
    private static final int FNV_PRIME = 0x01000193;

    static long of(byte[] packet) {
        int hash = FNV_OFFSET;
        if (packet.length < ETH_HLEN) {
            return 1;
        }
        int etherType = (packet[12] & 0xff) << 8 | packet[13] & 0xff;
        hash = mix(hash, etherType, 2);
        if (etherType == 0x0800 && packet.length >= ETH_HLEN + 20) {
            int ihl = (packet[ETH_HLEN] & 0x0f) * 4;
            int protocol = packet[ETH_HLEN + 9] & 0xff;
            long source = word(packet, ETH_HLEN + 12);
            long destination = word(packet, ETH_HLEN + 16);
            int sourcePort = 0;
            int destinationPort = 0;
            int l4 = ETH_HLEN + ihl;
            if ((protocol == 6 || protocol == 17) && ihl >= 20 && packet.length >= l4 + 4) {
                sourcePort = (packet[l4] & 0xff) << 8 | packet[l4 + 1] & 0xff;
                destinationPort = (packet[l4 + 2] & 0xff) << 8 | packet[l4 + 3] & 0xff;
            }
            boolean swap = source > destination || source == destination && sourcePort > destinationPort;
            hash = mix(hash, protocol, 1);
            hash = mix(hash, swap ? destination : source, 4);
            hash = mix(hash, swap ? source : destination, 4);
            hash = mix(hash, swap ? destinationPort : sourcePort, 2);
            hash = mix(hash, swap ? sourcePort : destinationPort, 2);
        }
        return hash == 0 ? 1 : hash & 0xffffffffL;
    }

    private static long word(byte[] bytes, int at) {
        return (bytes[at] & 0xffL) << 24 | (bytes[at + 1] & 0xffL) << 16 | (bytes[at + 2] & 0xffL) << 8 | bytes[at + 3] & 0xffL;
    }

    private static int mix(int hash, long value, int bytes) {
        int h = hash;
        for (int i = bytes - 1; i >= 0; i--) {
            h = (h ^ (int) ((value >>> (8 * i)) & 0xff)) * FNV_PRIME;
        }
        return h;
    }
}
