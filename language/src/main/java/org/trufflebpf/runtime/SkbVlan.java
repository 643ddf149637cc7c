package org.trufflebpf.runtime;

import org.trufflebpf.runtime.maps.Errno;

/**
 * bpf_skb_vlan_push and bpf_skb_vlan_pop as the kernel's skb_vlan_push/skb_vlan_pop do them: an sk_buff carries
 * one VLAN tag beside its packet (the accelerated tag: __sk_buff's vlan_present, vlan_tci, vlan_proto), and
 * further tags inside it after the MAC addresses. A push puts an accelerated tag there first into the packet; a
 * pop removes the accelerated tag, or else the packet's outer one, and then makes the packet's next tag the
 * accelerated one. {@code skb->protocol} (as stored: network byte order) follows; the network header keeps its
 * offset from the packet's start on a push (so it starts at the inserted tag, as in the kernel) and is at least
 * the Ethernet header's length after a pop.
 */
final class SkbVlan {
    private SkbVlan() {
    }

    /** ETH_P_8021Q and ETH_P_8021AD as an sk_buff stores them (network byte order read as a little-endian u16). */
    private static final int ETH_P_8021Q = 0x0081;
    private static final int ETH_P_8021AD = 0xa888;
    private static final int MAC_ADDRESSES = 12;
    private static final int VLAN_HLEN = 4;
    private static final int ETH_HLEN = 14;
    private static final int ENOMEM = 12;

    private static RunState tc(long ctx, String helper) {
        RunState state = PacketHelpers.skb(ctx, helper);
        if (!state.skbHasMacHeader()) {
            throw new RuntimeFault(helper + ": only tc programs may change their packet's VLAN tags");
        }
        return state;
    }

    private static boolean isVlan(long protocol) {
        return protocol == ETH_P_8021Q || protocol == ETH_P_8021AD;
    }

    static long push(long ctx, long r2, long r3) {
        RunState state = tc(ctx, "skb_vlan_push");
        long proto = r2 & 0xffff;
        if (!isVlan(proto)) {
            proto = ETH_P_8021Q;
        }
        if (NativeMemory.readU32(ctx + ProgramContexts.SKB_VLAN_PRESENT) != 0) {
            if (state.packetLength() < MAC_ADDRESSES) {
                return -Errno.EINVAL;
            }
            long outerProto = NativeMemory.readU32(ctx + ProgramContexts.SKB_VLAN_PROTO) & 0xffff;
            long outerTci = NativeMemory.readU32(ctx + ProgramContexts.SKB_VLAN_TCI) & 0xffff;
            long old = state.packetStart();
            long length = state.packetLength();
            byte[] bytes = NativeMemory.copyOut(old, (int) length);
            PacketHelpers.replacePacket(state, length + VLAN_HLEN, 0, 0);
            long start = state.packetStart();
            NativeMemory.copyIn(java.util.Arrays.copyOf(bytes, MAC_ADDRESSES), start);
            NativeMemory.write(start + MAC_ADDRESSES, 2, outerProto);
            NativeMemory.writeU8(start + MAC_ADDRESSES + 2, outerTci >>> 8);
            NativeMemory.writeU8(start + MAC_ADDRESSES + 3, outerTci & 0xff);
            NativeMemory.copyIn(java.util.Arrays.copyOfRange(bytes, MAC_ADDRESSES, bytes.length), start + MAC_ADDRESSES + VLAN_HLEN);
            NativeMemory.writeU32(ctx + ProgramContexts.SKB_PROTOCOL, outerProto);
            // The kernel moves the network header back by the tag too: it now starts at the inserted tag.
        }
        putTag(ctx, proto, r3 & 0xffff);
        return 0;
    }

    static long pop(long ctx) {
        RunState state = tc(ctx, "skb_vlan_pop");
        if (NativeMemory.readU32(ctx + ProgramContexts.SKB_VLAN_PRESENT) != 0) {
            NativeMemory.writeU32(ctx + ProgramContexts.SKB_VLAN_PRESENT, 0);
            NativeMemory.writeU32(ctx + ProgramContexts.SKB_VLAN_TCI, 0);
            NativeMemory.writeU32(ctx + ProgramContexts.SKB_VLAN_PROTO, 0);
        } else {
            if (!isVlan(protocol(ctx))) {
                return 0;
            }
            long popped = popFromPacket(state, ctx);
            if (popped < 0) {
                return popped;
            }
        }
        // The packet's next tag becomes the accelerated one.
        long proto = protocol(ctx);
        if (!isVlan(proto)) {
            return 0;
        }
        long tci = popFromPacket(state, ctx);
        if (tci < 0) {
            return tci;
        }
        putTag(ctx, proto, tci);
        return 0;
    }

    private static long protocol(long ctx) {
        return NativeMemory.readU32(ctx + ProgramContexts.SKB_PROTOCOL) & 0xffff;
    }

    private static void putTag(long ctx, long proto, long tci) {
        NativeMemory.writeU32(ctx + ProgramContexts.SKB_VLAN_PRESENT, 1);
        NativeMemory.writeU32(ctx + ProgramContexts.SKB_VLAN_TCI, tci);
        NativeMemory.writeU32(ctx + ProgramContexts.SKB_VLAN_PROTO, proto);
    }

    /** Removes the packet's outer tag (after the MAC addresses); returns its TCI, or -ENOMEM when the packet is too short. */
    private static long popFromPacket(RunState state, long ctx) {
        long length = state.packetLength();
        if (length < ETH_HLEN + VLAN_HLEN) {
            return -ENOMEM;
        }
        byte[] bytes = NativeMemory.copyOut(state.packetStart(), (int) length);
        long tci = (bytes[14] & 0xffL) << 8 | bytes[15] & 0xffL;
        int inner = (bytes[16] & 0xff) << 8 | bytes[17] & 0xff;
        PacketHelpers.replacePacket(state, length - VLAN_HLEN, 0, 0);
        long start = state.packetStart();
        NativeMemory.copyIn(java.util.Arrays.copyOf(bytes, MAC_ADDRESSES), start);
        NativeMemory.copyIn(java.util.Arrays.copyOfRange(bytes, MAC_ADDRESSES + VLAN_HLEN, bytes.length), start + MAC_ADDRESSES);
        // vlan_set_encap_proto: an EtherType, else 802.3 (raw IPX, payload 0xffff) or 802.2.
        long protocol;
        if (inner >= 0x600) {
            protocol = (inner >>> 8) | (inner & 0xff) << 8;
        } else {
            boolean rawIpx = bytes.length >= 20 && (bytes[18] & 0xff) == 0xff && (bytes[19] & 0xff) == 0xff;
            protocol = rawIpx ? 0x0100 : 0x0400;
        }
        NativeMemory.writeU32(ctx + ProgramContexts.SKB_PROTOCOL, protocol);
        state.setSkbNetworkOffset(Math.max(state.skbNetworkOffset() - VLAN_HLEN, ETH_HLEN));
        return tci;
    }
}
