package org.trufflebpf.runtime;


import org.trufflebpf.model.ProgramType;
import org.trufflebpf.runtime.maps.Errno;

/**
 * Builds the context r1 points to for each program type, in native memory owned by the run.
 *
 * <ul>
 * <li>RAW: the input bytes; r1 = their address, r2 = their length (both 0 without input).</li>
 * <li>SOCKET_FILTER, SCHED_CLS: {@code struct __sk_buff} (192 bytes, kernel layout) over the packet. Its u32
 * {@code data}, {@code data_end}, {@code data_meta} fields cannot hold 64-bit addresses, so, as the kernel
 * does, {@link ContextRewriter} turns their loads into 8-byte loads of the real pointers kept after the
 * struct ({@link #SKB_DATA_PTR}...).</li>
 * <li>XDP: {@code struct xdp_md} (24 bytes) with the same treatment, over a packet with
 * {@link #XDP_HEADROOM} bytes of headroom for {@code xdp_adjust_head}.</li>
 * </ul>
 */
public final class ProgramContexts {
    private ProgramContexts() {
    }

    // struct __sk_buff, as programs see it.
    public static final int SKB_LEN = 0;
    public static final int SKB_PKT_TYPE = 4;
    public static final int SKB_MARK = 8;
    public static final int SKB_QUEUE_MAPPING = 12;
    public static final int SKB_PROTOCOL = 16;
    public static final int SKB_VLAN_PRESENT = 20;
    public static final int SKB_VLAN_TCI = 24;
    public static final int SKB_VLAN_PROTO = 28;
    public static final int SKB_PRIORITY = 32;
    public static final int SKB_INGRESS_IFINDEX = 36;
    public static final int SKB_IFINDEX = 40;
    public static final int SKB_TC_INDEX = 44;
    public static final int SKB_CB = 48;
    public static final int SKB_CB_BYTES = 20;
    public static final int SKB_HASH = 68;
    public static final int SKB_TC_CLASSID = 72;
    public static final int SKB_DATA = 76;
    public static final int SKB_DATA_END = 80;
    public static final int SKB_DATA_META = 140;
    public static final int SKB_TSTAMP = 152;
    public static final int SKB_WIRE_LEN = 160;
    public static final int SKB_SIZE = 192;
    // The real pointers, after the struct; only rewritten loads reach them.
    public static final int SKB_DATA_PTR = 192;
    public static final int SKB_DATA_END_PTR = 200;
    public static final int SKB_DATA_META_PTR = 208;
    public static final int SKB_TOTAL = 216;

    // struct xdp_md, as programs see it.
    public static final int XDP_DATA = 0;
    public static final int XDP_DATA_END = 4;
    public static final int XDP_DATA_META = 8;
    public static final int XDP_INGRESS_IFINDEX = 12;
    public static final int XDP_RX_QUEUE_INDEX = 16;
    public static final int XDP_SIZE = 24;
    public static final int XDP_DATA_PTR = 24;
    public static final int XDP_DATA_END_PTR = 32;
    public static final int XDP_DATA_META_PTR = 40;
    public static final int XDP_TOTAL = 48;
    public static final int XDP_HEADROOM = 256;

    /** XDP actions, as r0 of an XDP program. */
    public static final String[] XDP_ACTIONS = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"};

    private static final String PACKET = "packet";

    /**
     * Unused bytes on both sides of the input memory and the packet: an access that overruns them by up to this
     * much always fails, instead of landing in whatever map value the allocator put next to them (which differs
     * between contexts, so the two engines would disagree).
     */
    public static final int GUARD_BYTES = 512;

    /**
     * Sets up the context of a run over {@code input}; returns the initial r1 and r2.
     */
    public static long[] setUp(RunState state, ProgramType type, byte[] input) {
        return setUp(state, type, input, null);
    }

    /**
     * Sets up the context of a run over {@code input} with the context fields {@code contextIn} (checked by
     * {@link ContextInput}; null for none, when the context is built from the packet alone); returns the initial
     * r1 and r2.
     */
    public static long[] setUp(RunState state, ProgramType type, byte[] input, byte[] contextIn) {
        enter(state, type, input, contextIn);
        return new long[] {state.entryR1(), state.entryR2()};
    }

    /** As {@link #setUp(RunState, ProgramType, byte[], byte[])}, leaving r1 and r2 in the state's entry registers (no allocation). */
    public static void enter(RunState state, ProgramType type, byte[] input, byte[] contextIn) {
        byte[] bytes = input == null ? NO_BYTES : input;
        switch (type) {
            case RAW -> setUpRaw(state, bytes);
            case SOCKET_FILTER, SCHED_CLS -> setUpSkb(state, bytes, type == ProgramType.SCHED_CLS, contextIn);
            case XDP -> setUpXdp(state, bytes, contextIn);
        }
    }

    private static final byte[] NO_BYTES = new byte[0];

    /**
     * A raw-memory run over the caller's memory in place ({@code length} bytes at {@code address}, which the
     * caller keeps alive for the run): the program may touch exactly those bytes, written only when
     * {@code writable}. No guard bytes around it are ours, so an overrun is refused by the region table alone.
     */
    public static void enterInPlace(RunState state, long address, int length, boolean writable) {
        state.regions().add("memory", address, length, writable);
        state.setContextAddress(address);
        state.setEntryRegisters(address, length);
    }

    /**
     * The context as BPF_PROG_TEST_RUN's ctx_out reports it after a run set up with {@code contextIn} (see
     * {@link ContextInput}); to be called before the run's state closes.
     */
    public static byte[] contextOut(RunState state, ProgramType type, byte[] contextIn) {
        return ContextInput.out(type, contextIn, state.contextAddress(), (int) (state.packetEnd() - state.packetStart()));
    }

    private static void setUpRaw(RunState state, byte[] bytes) {
        if (bytes.length == 0) {
            state.setEntryRegisters(0, 0);
            return;
        }
        long address = state.allocateRunMemory(GUARD_BYTES + bytes.length + GUARD_BYTES) + GUARD_BYTES;
        NativeMemory.copyIn(bytes, address);
        state.regions().add("memory", address, bytes.length, true);
        state.setContextAddress(address);
        state.setEntryRegisters(address, bytes.length);
    }

    private static void setUpSkb(RunState state, byte[] packet, boolean tc, byte[] contextIn) {
        long start = state.allocateRunMemory(GUARD_BYTES + Math.max(packet.length, 1) + GUARD_BYTES) + GUARD_BYTES;
        NativeMemory.copyIn(packet, start);
        long end = start + packet.length;
        long c = state.allocateRunMemory(SKB_TOTAL);
        NativeMemory.writeU32(c + SKB_LEN, packet.length);
        if (packet.length >= 14) {
            // skb->protocol is the EtherType in network order, stored as the packet holds it.
            NativeMemory.writeU8(c + SKB_PROTOCOL, packet[12]);
            NativeMemory.writeU8(c + SKB_PROTOCOL + 1, packet[13]);
        }
        // As the kernel's test run without a context input: the loopback device (ifindex 1), no ingress
        // interface and no wire length (skb_iif and the qdisc cb's pkt_len stay 0).
        NativeMemory.writeU32(c + SKB_IFINDEX, 1);
        if (contextIn != null) {
            ContextInput.applySkb(c, contextIn, packet.length);
        }
        NativeMemory.writeU64(c + SKB_DATA_PTR, start);
        NativeMemory.writeU64(c + SKB_DATA_END_PTR, end);
        NativeMemory.writeU64(c + SKB_DATA_META_PTR, start);
        MemoryRegions regions = state.regions();
        // Read-only over the struct and the real pointers after it, which rewritten loads read.
        regions.add("context", c, SKB_TOTAL, false);
        // The fields the kernel lets programs write.
        regions.add("context", c + SKB_MARK, 4, true);
        regions.add("context", c + SKB_PRIORITY, 4, true);
        regions.add("context", c + SKB_TC_INDEX, 4, true);
        regions.add("context", c + SKB_CB, SKB_CB_BYTES, true);
        regions.add("context", c + SKB_TC_CLASSID, 4, true);
        if (tc) {
            // tc programs may also set the queue and the timestamp (the verifier's SkBuffFields has the whole table).
            regions.add("context", c + SKB_QUEUE_MAPPING, 4, true);
            regions.add("context", c + SKB_TSTAMP, 8, true);
        }
        // Socket filters may only read the packet; tc programs may write it.
        regions.add(PACKET, start, packet.length, tc);
        state.setPacket(start, end);
        state.setSkbContext(tc);
        // No packet buffer start: an sk_buff's data never moves, and xdp_adjust_head (reached through callx by an
        // unverified program) finds no XDP context here instead of moving a socket filter's read-only packet.
        state.setContextAddress(c);
        state.setEntryRegisters(c, 0);
    }

    private static void setUpXdp(RunState state, byte[] packet, byte[] contextIn) {
        // As the kernel's test run: one page-sized frame, the packet after 256 bytes of headroom, and the
        // tailroom of a struct skb_shared_info at its end that xdp_adjust_tail may not grow into.
        int frame = Math.max(XDP_FRAME_BYTES, XDP_HEADROOM + packet.length + XDP_TAILROOM);
        // Only the bytes the last run over this frame exposed are zeroed: its guards, struct xdp_frame and unexposed
        // room no guest reaches, and the packet bytes are overwritten below (setXdpPacket tracks what is exposed).
        long buffer = state.allocateFrameMemory(GUARD_BYTES + frame + GUARD_BYTES) + GUARD_BYTES;
        long start = buffer + XDP_HEADROOM;
        NativeMemory.copyIn(packet, start);
        long end = start + packet.length;
        long c = state.allocateRunMemory(XDP_TOTAL);
        // The kernel's test run receives on the loopback device's queue 0 unless the context input names another.
        NativeMemory.writeU32(c + XDP_INGRESS_IFINDEX, 1);
        if (contextIn != null) {
            ContextInput.applyXdp(c, contextIn);
        }
        state.regions().add("context", c, XDP_TOTAL, false);
        state.setPacketBufferStart(buffer);
        state.setPacketBufferEnd(buffer + frame - XDP_TAILROOM);
        state.setContextAddress(c);
        setXdpPacket(state, start, start, end);
        state.setEntryRegisters(c, 0);
    }

    /** Bytes of the test run's XDP frame (a page), of its tailroom, and of the struct xdp_frame its headroom keeps. */
    public static final int XDP_FRAME_BYTES = 4096;
    public static final int XDP_TAILROOM = 320;
    public static final int XDP_FRAME_HEADER = 40;
    private static final int ETH_HLEN = 14;
    /** Linux 6.18 allows up to 255 bytes (skb->meta_len is a u8); older kernels allowed 32. */
    private static final int XDP_META_MAX = 255;
    private static final String METADATA = "packet metadata";

    /** Moves the XDP packet to [data, end) with metadata [meta, data): the run's packet, its regions and the context's pointers. */
    private static void setXdpPacket(RunState state, long meta, long data, long end) {
        // No packet yet at the run's set-up: nothing to remove (and no lock taken per run for it).
        if (state.packetStart() != 0) {
            state.regions().remove(state.packetStart());
        }
        if (state.packetMeta() != 0 && state.packetMeta() < state.packetStart()) {
            state.regions().remove(state.packetMeta());
        }
        state.exposeFrameBytes(meta, end);
        state.regions().add(PACKET, data, end - data, true);
        if (meta < data) {
            state.regions().add(METADATA, meta, data - meta, true);
        }
        state.setPacket(data, end);
        state.setPacketMeta(meta);
        long ctx = state.contextAddress();
        NativeMemory.writeU64(ctx + XDP_DATA_PTR, data);
        NativeMemory.writeU64(ctx + XDP_DATA_END_PTR, end);
        NativeMemory.writeU64(ctx + XDP_DATA_META_PTR, meta);
    }

    private static void checkXdpContext(RunState state, long ctx, String helper) {
        if (ctx == 0 || ctx != state.contextAddress() || state.packetBufferStart() == 0) {
            throw new RuntimeFault(helper + ": r1 is not the XDP context");
        }
    }

    /**
     * bpf_xdp_adjust_head: moves data (and the metadata before it) by delta, keeping the struct xdp_frame the
     * headroom must hold and at least an Ethernet header; bytes uncovered keep what they held, as in the kernel.
     */
    static long adjustXdpHead(RunState state, long ctx, int delta) {
        checkXdpContext(state, ctx, "xdp_adjust_head");
        long metaLength = state.packetStart() - state.packetMeta();
        long data = state.packetStart() + delta;
        long end = state.packetEnd();
        if (data < state.packetBufferStart() + XDP_FRAME_HEADER + metaLength || data > end - ETH_HLEN) {
            return -Errno.EINVAL;
        }
        if (metaLength > 0) {
            NativeMemory.copyIn(NativeMemory.copyOut(state.packetMeta(), (int) metaLength), state.packetMeta() + delta);
        }
        setXdpPacket(state, state.packetMeta() + delta, data, end);
        return 0;
    }

    /** bpf_xdp_adjust_meta: moves the metadata's start; it stays a multiple of 4 bytes, at most 255, after the struct xdp_frame. */
    static long adjustXdpMeta(RunState state, long ctx, int delta) {
        checkXdpContext(state, ctx, "xdp_adjust_meta");
        long meta = state.packetMeta() + delta;
        long data = state.packetStart();
        if (meta < state.packetBufferStart() + XDP_FRAME_HEADER || meta > data) {
            return -Errno.EINVAL;
        }
        long metaLength = data - meta;
        if ((metaLength & 3) != 0 || metaLength > XDP_META_MAX) {
            return -Errno.EACCES;
        }
        setXdpPacket(state, meta, data, state.packetEnd());
        return 0;
    }

    /** bpf_xdp_adjust_tail: moves data_end up to the tailroom or down to an Ethernet header; grown bytes are zeroed. */
    static long adjustXdpTail(RunState state, long ctx, int delta) {
        checkXdpContext(state, ctx, "xdp_adjust_tail");
        long end = state.packetEnd() + delta;
        if (end > state.packetBufferEnd() || end < state.packetStart() + ETH_HLEN) {
            return -Errno.EINVAL;
        }
        if (delta > 0) {
            NativeMemory.fill(state.packetEnd(), delta, (byte) 0);
        }
        setXdpPacket(state, state.packetMeta(), state.packetStart(), end);
        return 0;
    }
}
