package org.trufflebpf.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.trufflebpf.model.ProgramType;

/**
 * Context fields given as input to a run, as BPF_PROG_TEST_RUN's {@code ctx_in} takes them: the raw bytes of
 * {@code struct __sk_buff} (socket filter, tc) or {@code struct xdp_md} (XDP), checked with the kernel's rules
 * ({@code convert___skb_to_skb}, {@code xdp_convert_md_to_buff} in net/bpf/test_run.c, 6.18), and what the
 * kernel hands back as {@code ctx_out}.
 *
 * <p>{@code __sk_buff}: only mark, priority, ingress_ifindex, ifindex, cb[], tstamp, wire_len, gso_segs, gso_size
 * and hwtstamp may be nonzero; wire_len is 0 (then the packet's length) or from the skb's length to 65536;
 * gso_segs at most 65535; ifindex 0 or 1 is the loopback device (read as 1). {@code xdp_md}: data_meta and
 * egress_ifindex are 0, data_end is the packet's length, rx_queue_index needs an ingress_ifindex. Shorter input is
 * zero-extended, longer input must be zero past the struct (the kernel's E2BIG).
 *
 * <p>Where the kernel asks its devices (an ifindex above 1, a queue index), our engines, which model no devices,
 * accept any value; the kernel refuses one no device has. Our engines also refuse what the kernel takes but they do
 * not model: XDP metadata in front of the packet ({@code data} above 0) and a linear part shorter than the
 * packet ({@code data_end} below its length, the rest as fragments).
 */
public final class ContextInput {
    private ContextInput() {
    }

    /** The largest wire_len the kernel takes (GSO_LEGACY_MAX_SIZE). */
    private static final long MAX_WIRE_LEN = 65536;
    /** The largest gso_segs the kernel takes (GSO_MAX_SEGS). */
    private static final long MAX_GSO_SEGS = 65535;

    static final int SKB_GSO_SEGS = 164;
    static final int SKB_GSO_SIZE = 176;
    static final int SKB_HWTSTAMP = 184;
    static final int XDP_EGRESS_IFINDEX = 20;

    /** The __sk_buff fields ctx_in may set: name, offset, length. */
    private static final Object[][] SKB_SETTABLE = {{"mark", ProgramContexts.SKB_MARK, 4}, {"priority", ProgramContexts.SKB_PRIORITY, 4},
                    {"ingress_ifindex", ProgramContexts.SKB_INGRESS_IFINDEX, 4}, {"ifindex", ProgramContexts.SKB_IFINDEX, 4},
                    {"cb", ProgramContexts.SKB_CB, ProgramContexts.SKB_CB_BYTES}, {"tstamp", ProgramContexts.SKB_TSTAMP, 8},
                    {"wire_len", ProgramContexts.SKB_WIRE_LEN, 4}, {"gso_segs", SKB_GSO_SEGS, 4}, {"gso_size", SKB_GSO_SIZE, 4},
                    {"hwtstamp", SKB_HWTSTAMP, 8}};

    /** The size of the struct a program type's ctx_in holds; -1 for raw memory, which has none. */
    public static int structSize(ProgramType type) {
        return switch (type) {
            case SOCKET_FILTER, SCHED_CLS -> ProgramContexts.SKB_SIZE;
            case XDP -> ProgramContexts.XDP_SIZE;
            case RAW -> -1;
        };
    }

    /**
     * Why the kernel refuses {@code ctx} for a run of a {@code type} program over a packet whose skb is
     * {@code skbLength} bytes long (the packet's length, less the Ethernet header for a socket filter in the
     * kernel) and whose XDP packet is {@code packetLength} long, in one line; null when it takes it.
     */
    public static String kernelProblem(ProgramType type, byte[] ctx, int skbLength, int packetLength) {
        int size = structSize(type);
        if (size < 0) {
            return "raw-memory programs take no context input";
        }
        String struct = type == ProgramType.XDP ? "struct xdp_md" : "struct __sk_buff";
        if (ctx.length == 0) {
            return "the context input is empty; give the bytes of " + struct;
        }
        for (int i = size; i < ctx.length; i++) {
            if (ctx[i] != 0) {
                return "the context input has " + ctx.length + " bytes and byte " + i + " is not zero; " + struct + " has " + size
                                + " and the kernel refuses anything nonzero after it (E2BIG)";
            }
        }
        ByteBuffer c = padded(type, ctx);
        return type == ProgramType.XDP ? xdpProblem(c, packetLength) : skbProblem(c, skbLength);
    }

    /**
     * What our engines refuse besides the kernel's rules: XDP metadata and fragments, which they do not model;
     * null when they take {@code ctx} (already passed by {@link #kernelProblem}).
     */
    public static String engineProblem(ProgramType type, byte[] ctx) {
        if (type != ProgramType.XDP) {
            return null;
        }
        ByteBuffer c = padded(type, ctx);
        long data = u32(c, ProgramContexts.XDP_DATA);
        if (data != 0) {
            return "xdp_md.data is " + data + ": metadata in front of the packet is not modelled by the interpreter and native engines (give 0; "
                            + "the kernel engine takes it)";
        }
        return null;
    }

    private static String skbProblem(ByteBuffer c, int skbLength) {
        for (int offset = 0; offset < ProgramContexts.SKB_SIZE; offset++) {
            if (c.get(offset) != 0 && settableAt(offset) == null) {
                return "__sk_buff." + skbFieldAt(offset) + " (offset " + offset
                                + ") may not be set by a context input: the kernel takes mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_segs, gso_size and hwtstamp (EINVAL)";
            }
        }
        long wireLen = u32(c, ProgramContexts.SKB_WIRE_LEN);
        if (wireLen != 0 && (wireLen < skbLength || wireLen > MAX_WIRE_LEN)) {
            return "__sk_buff.wire_len " + wireLen + " is outside " + skbLength + " (the skb's length) to " + MAX_WIRE_LEN + " (EINVAL)";
        }
        long gsoSegs = u32(c, SKB_GSO_SEGS);
        if (gsoSegs > MAX_GSO_SEGS) {
            return "__sk_buff.gso_segs " + gsoSegs + " is above " + MAX_GSO_SEGS + " (EINVAL)";
        }
        return null;
    }

    private static String xdpProblem(ByteBuffer c, int packetLength) {
        long data = u32(c, ProgramContexts.XDP_DATA);
        long dataEnd = u32(c, ProgramContexts.XDP_DATA_END);
        if (u32(c, ProgramContexts.XDP_DATA_META) != 0) {
            return "xdp_md.data_meta must be 0: the context input's offsets count from the metadata's start (EINVAL)";
        }
        if (dataEnd > packetLength) {
            return "xdp_md.data_end " + dataEnd + " is past the packet's " + packetLength + " bytes (EINVAL)";
        }
        if (data > dataEnd) {
            return "xdp_md.data " + data + " is past data_end " + dataEnd + " (EINVAL)";
        }
        if (data % 4 != 0) {
            return "xdp_md.data " + data + " (the metadata's length) is not a multiple of 4 (EINVAL)";
        }
        if (u32(c, XDP_EGRESS_IFINDEX) != 0) {
            return "xdp_md.egress_ifindex must be 0 (EINVAL)";
        }
        if (u32(c, ProgramContexts.XDP_INGRESS_IFINDEX) == 0 && u32(c, ProgramContexts.XDP_RX_QUEUE_INDEX) != 0) {
            return "xdp_md.rx_queue_index needs an ingress_ifindex (EINVAL)";
        }
        if (dataEnd != packetLength) {
            // The kernel (6.18) takes a shorter linear part and puts the rest in fragments; say so in our terms.
            return "xdp_md.data_end " + dataEnd + " is not the packet's length " + packetLength
                            + ": a linear part shorter than the packet (the rest as fragments) is not modelled by the interpreter and native engines";
        }
        return null;
    }

    /** The ctx_in bytes as the kernel reads them: the struct, zero-extended or cut to its size. */
    static ByteBuffer padded(ProgramType type, byte[] ctx) {
        return ByteBuffer.wrap(Arrays.copyOf(ctx, structSize(type))).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The names of struct __sk_buff's fields by first offset, for messages. */
    private static final String[] SKB_NAMES = {"0 len", "4 pkt_type", "8 mark", "12 queue_mapping", "16 protocol", "20 vlan_present", "24 vlan_tci",
                    "28 vlan_proto", "32 priority", "36 ingress_ifindex", "40 ifindex", "44 tc_index", "48 cb", "68 hash", "72 tc_classid", "76 data",
                    "80 data_end", "84 napi_id", "88 family", "92 remote_ip4", "96 local_ip4", "100 remote_ip6", "116 local_ip6", "132 remote_port",
                    "136 local_port", "140 data_meta", "144 flow_keys", "152 tstamp", "160 wire_len", "164 gso_segs", "168 sk", "176 gso_size",
                    "180 tstamp_type", "181 padding", "184 hwtstamp"};

    private static String skbFieldAt(int offset) {
        String name = "?";
        for (String entry : SKB_NAMES) {
            int space = entry.indexOf(' ');
            if (Integer.parseInt(entry.substring(0, space)) <= offset) {
                name = entry.substring(space + 1);
            }
        }
        return name;
    }

    private static String settableAt(int offset) {
        for (Object[] field : SKB_SETTABLE) {
            int start = (int) field[1];
            if (offset >= start && offset < start + (int) field[2]) {
                return (String) field[0];
            }
        }
        return null;
    }

    static long u32(ByteBuffer c, int offset) {
        return Integer.toUnsignedLong(c.getInt(offset));
    }

    /**
     * Sets the fields of a {@code struct __sk_buff} at {@code address} from a checked context input, as the
     * kernel does: the settable fields as given, ifindex 0 or 1 as the loopback device's 1, wire_len 0 as the
     * skb's length.
     */
    static void applySkb(long address, byte[] ctx, int skbLength) {
        ByteBuffer c = padded(ProgramType.SCHED_CLS, ctx);
        for (Object[] field : SKB_SETTABLE) {
            int offset = (int) field[1];
            for (int i = 0; i < (int) field[2]; i++) {
                NativeMemory.writeU8(address + offset + i, c.get(offset + i));
            }
        }
        long ifindex = u32(c, ProgramContexts.SKB_IFINDEX);
        NativeMemory.writeU32(address + ProgramContexts.SKB_IFINDEX, ifindex > 1 ? ifindex : 1);
        long wireLen = u32(c, ProgramContexts.SKB_WIRE_LEN);
        NativeMemory.writeU32(address + ProgramContexts.SKB_WIRE_LEN, wireLen == 0 ? skbLength : wireLen);
    }

    /** Sets the fields of a {@code struct xdp_md} at {@code address}: ingress_ifindex 0 is the loopback device's 1. */
    static void applyXdp(long address, byte[] ctx) {
        ByteBuffer c = padded(ProgramType.XDP, ctx);
        long ifindex = u32(c, ProgramContexts.XDP_INGRESS_IFINDEX);
        NativeMemory.writeU32(address + ProgramContexts.XDP_INGRESS_IFINDEX, ifindex == 0 ? 1 : ifindex);
        NativeMemory.writeU32(address + ProgramContexts.XDP_RX_QUEUE_INDEX, u32(c, ProgramContexts.XDP_RX_QUEUE_INDEX));
    }

    /** The __sk_buff fields the kernel's ctx_out reports from the skb after the run (convert_skb_to___skb). */
    private static final int[][] SKB_REPORTED = {{ProgramContexts.SKB_MARK, 4}, {ProgramContexts.SKB_PRIORITY, 4}, {ProgramContexts.SKB_INGRESS_IFINDEX, 4},
                    {ProgramContexts.SKB_IFINDEX, 4}, {ProgramContexts.SKB_TSTAMP, 8}, {ProgramContexts.SKB_CB, ProgramContexts.SKB_CB_BYTES},
                    {ProgramContexts.SKB_WIRE_LEN, 4}, {SKB_GSO_SEGS, 4}, {SKB_HWTSTAMP, 8}};

    /**
     * The ctx_out of a run: the input struct with the fields the kernel reports replaced by the context's state
     * at {@code address} after the run; for XDP, data (the metadata's length, 0 here) and data_end (the packet's
     * length after the run).
     */
    static byte[] out(ProgramType type, byte[] ctx, long address, int packetLengthAfter) {
        ByteBuffer c = padded(type, ctx);
        if (type == ProgramType.XDP) {
            c.putInt(ProgramContexts.XDP_DATA, 0);
            c.putInt(ProgramContexts.XDP_DATA_END, packetLengthAfter);
            return c.array();
        }
        for (int[] field : SKB_REPORTED) {
            for (int i = 0; i < field[1]; i++) {
                c.put(field[0] + i, (byte) NativeMemory.readU8(address + field[0] + i));
            }
        }
        return c.array();
    }
}
