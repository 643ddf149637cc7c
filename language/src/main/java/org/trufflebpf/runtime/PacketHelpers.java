package org.trufflebpf.runtime;

import org.trufflebpf.model.MapType;
import org.trufflebpf.runtime.maps.BpfMap;
import org.trufflebpf.runtime.maps.RedirectMap;
import org.trufflebpf.runtime.maps.Errno;
import org.trufflebpf.runtime.maps.PerfEventArray;

/**
 * The helpers of packet programs beyond loads: packet writes, checksums, the flow hash, redirects and perf
 * event output, with the kernel's checks and results (net/core/filter.c, kernel/trace/bpf_trace.c). Our
 * sk_buffs are linear and arrive as BPF_PROG_TEST_RUN builds them: {@code ip_summed} is CHECKSUM_NONE, so the
 * checksum helpers change only the packet's checksum fields ({@code skb->csum} is never in use, and
 * {@code bpf_csum_update} answers -ENOTSUPP), and the MAC header starts a tc program's packet.
 */
final class PacketHelpers {
    private PacketHelpers() {
    }

    static final long BPF_F_RECOMPUTE_CSUM = 1;
    static final long BPF_F_INVALIDATE_HASH = 2;
    static final long BPF_F_HDR_FIELD_MASK = 0xf;
    static final long BPF_F_PSEUDO_HDR = 1 << 4;
    static final long BPF_F_MARK_MANGLED_0 = 1 << 5;
    static final long BPF_F_MARK_ENFORCE = 1 << 6;
    static final long BPF_F_IPV6 = 1 << 7;
    static final long BPF_F_INGRESS = 1;
    static final long BPF_F_INDEX_MASK = 0xffffffffL;
    static final long BPF_F_CURRENT_CPU = BPF_F_INDEX_MASK;
    static final long BPF_F_CTXLEN_MASK = 0xfffffL << 32;
    static final long TC_ACT_SHOT = 2;
    static final long TC_ACT_REDIRECT = 7;
    static final long XDP_ABORTED = 0;
    static final long XDP_REDIRECT = 4;
    private static final int CSUM_MANGLED_0 = 0xffff;
    private static final int ETH_HLEN = 14;

    /** The run's sk_buff context at r1, else a fault (an unverified program may pass anything, or run on XDP). */
    static RunState skb(long ctx, String helper) {
        RunState state = RunState.current();
        if (ctx == 0 || ctx != state.contextAddress() || !state.isSkbContext()) {
            throw new RuntimeFault(helper + ": r1 is not the sk_buff context");
        }
        return state;
    }

    /** A write of {@code length} bytes at {@code offset} of the packet: its address, after checking the packet may be written. */
    private static long writable(RunState state, long offset, long length, String helper) {
        long address = state.packetStart() + offset;
        state.regions().checkForHelper(address, length, true, helper + " packet");
        return address;
    }

    static long skbStoreBytes(long ctx, long r2, long from, long r4, long flags) {
        RunState state = skb(ctx, "skb_store_bytes");
        long offset = r2 & 0xffffffffL;
        long length = r4 & 0xffffffffL;
        if ((flags & ~(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH)) != 0) {
            return -Errno.EINVAL;
        }
        state.regions().checkForHelper(from, length, false, "skb_store_bytes source");
        if (offset > Integer.MAX_VALUE || offset + length > state.packetLength()) {
            return -Errno.EFAULT;
        }
        long to = writable(state, offset, length, "skb_store_bytes");
        // memmove semantics: the source may be the packet itself.
        NativeMemory.copyIn(NativeMemory.copyOut(from, (int) length), to);
        if ((flags & BPF_F_INVALIDATE_HASH) != 0) {
            clearHash(state);
        }
        return 0;
    }

    /** The checksum field of an l3/l4 replace: its offset, or a negated errno as the kernel checks it. */
    private static long checksumOffset(RunState state, long r2) {
        long offset = r2 & 0xffffffffL;
        if (offset > 0xffff || (offset & 1) != 0 || offset + 2 > state.packetLength()) {
            return -Errno.EFAULT;
        }
        return offset;
    }

    static long l3CsumReplace(long ctx, long r2, long from, long to, long flags) {
        RunState state = skb(ctx, "l3_csum_replace");
        if ((flags & ~BPF_F_HDR_FIELD_MASK) != 0) {
            return -Errno.EINVAL;
        }
        long field = checksumField(state, r2, "l3_csum_replace");
        if (field < 0) {
            return field;
        }
        long updated = replacedChecksum((int) NativeMemory.readU16(field), from, to, flags, false);
        if (updated < 0) {
            return updated;
        }
        NativeMemory.write(field, 2, updated);
        return 0;
    }

    /**
     * As l3, and: BPF_F_MARK_MANGLED_0 leaves a zero checksum (UDP's "none") alone and turns a result of 0 into
     * 0xffff; BPF_F_PSEUDO_HDR and BPF_F_IPV6 concern only skb->csum of CHECKSUM_COMPLETE/PARTIAL packets.
     */
    static long l4CsumReplace(long ctx, long r2, long from, long to, long flags) {
        RunState state = skb(ctx, "l4_csum_replace");
        if ((flags & ~(BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR | BPF_F_HDR_FIELD_MASK | BPF_F_IPV6)) != 0) {
            return -Errno.EINVAL;
        }
        long field = checksumField(state, r2, "l4_csum_replace");
        if (field < 0) {
            return field;
        }
        int check = (int) NativeMemory.readU16(field);
        boolean mangledZero = (flags & BPF_F_MARK_MANGLED_0) != 0;
        if (mangledZero && (flags & BPF_F_MARK_ENFORCE) == 0 && check == 0) {
            return 0;
        }
        long updated = replacedChecksum(check, from, to, flags, true);
        if (updated < 0) {
            return updated;
        }
        NativeMemory.write(field, 2, mangledZero && updated == 0 ? CSUM_MANGLED_0 : updated);
        return 0;
    }

    /** The address of an l3/l4 replace's checksum field (checked writable), or a negated errno. */
    private static long checksumField(RunState state, long r2, String helper) {
        long offset = checksumOffset(state, r2);
        return offset < 0 ? offset : writable(state, offset, 2, helper);
    }

    /**
     * The checksum after {@code from} is replaced by {@code to} in a field of the size in the flags' low bits (0:
     * {@code to} is already a checksum difference and {@code from} must be 0), or -EINVAL. The l4 helper replaces
     * a 2-byte field with 32-bit arithmetic, as inet_proto_csum_replace2 does; l3 with 16-bit arithmetic.
     */
    private static long replacedChecksum(int check, long from, long to, long flags, boolean l4) {
        return switch ((int) (flags & BPF_F_HDR_FIELD_MASK)) {
            case 0 -> from != 0 ? -Errno.EINVAL : Checksums.replaceByDiff(check, to);
            case 2 -> l4 ? Checksums.replace4(check, from & 0xffff, to & 0xffff) : Checksums.replace2(check, (int) from & 0xffff, (int) to & 0xffff);
            case 4 -> Checksums.replace4(check, from & 0xffffffffL, to & 0xffffffffL);
            default -> -Errno.EINVAL;
        };
    }

    /**
     * bpf_csum_diff: the checksum of {@code to} minus that of {@code from}, added to the seed, folded to 16 bits
     * (csum_from32to16) as Linux 6.13 and later return it, for any sizes (no longer only multiples of 4).
     */
    static long csumDiff(long from, long r2, long to, long r4, long seed) {
        RunState state = RunState.current();
        long fromSize = r2 & 0xffffffffL;
        long toSize = r4 & 0xffffffffL;
        state.regions().checkForHelper(from, fromSize, false, "csum_diff from");
        state.regions().checkForHelper(to, toSize, false, "csum_diff to");
        long wsum = seed & 0xffffffffL;
        if (fromSize != 0 && toSize == 0) {
            return Checksums.from32to16(~Checksums.partial(bytes(from, fromSize), ~wsum));
        }
        return Checksums.from32to16(Checksums.sub(Checksums.partial(bytes(to, toSize), wsum), Checksums.partial(bytes(from, fromSize), 0)));
    }

    private static byte[] bytes(long address, long size) {
        return NativeMemory.copyOut(address, (int) size);
    }

    /** Our packets are CHECKSUM_NONE: there is no skb->csum to update. */
    static long csumUpdate(long ctx, long r2, long r3, long r4, long r5) {
        skb(ctx, "csum_update");
        return -Errno.ENOTSUPP;
    }

    static long setHash(long ctx, long hash, long r3, long r4, long r5) {
        RunState state = skb(ctx, "set_hash");
        NativeMemory.writeU32(ctx + ProgramContexts.SKB_HASH, hash & 0xffffffffL);
        state.setSkbHashValid(true);
        return 0;
    }

    private static void clearHash(RunState state) {
        NativeMemory.writeU32(state.contextAddress() + ProgramContexts.SKB_HASH, 0);
        state.setSkbHashValid(false);
    }

    /**
     * bpf_get_hash_recalc: the hash set or computed before, else a flow hash computed now and kept in skb->hash.
     * The kernel keys its flow hash with a random secret chosen at boot, so its values differ from boot to boot;
     * ours is a fixed function of the same flow keys with the kernel's properties: never 0, the same for both
     * directions of a flow.
     */
    static long getHashRecalc(long ctx, long r2, long r3, long r4, long r5) {
        RunState state = skb(ctx, "get_hash_recalc");
        if (!state.skbHashValid()) {
            NativeMemory.writeU32(ctx + ProgramContexts.SKB_HASH, FlowHash.of(NativeMemory.copyOut(state.packetStart(), (int) state.packetLength())));
            state.setSkbHashValid(true);
        }
        return NativeMemory.readU32(ctx + ProgramContexts.SKB_HASH);
    }

    /**
     * tc's bpf_redirect (flags: BPF_F_INGRESS only, else TC_ACT_SHOT) or XDP's (no flags, else XDP_ABORTED);
     * the target is recorded for the run's result.
     */
    static long redirect(long r1, long flags, long r3, long r4, long r5) {
        RunState state = RunState.current();
        long ifindex = r1 & 0xffffffffL;
        if (state.isSkbContext()) {
            if ((flags & ~BPF_F_INGRESS) != 0) {
                return TC_ACT_SHOT;
            }
            state.setRedirect(new RunState.Redirect(ifindex, flags));
            return TC_ACT_REDIRECT;
        }
        if (flags != 0) {
            return XDP_ABORTED;
        }
        state.setRedirect(new RunState.Redirect(ifindex, 0));
        return XDP_REDIRECT;
    }

    /** Devmaps may redirect to every entry (BPF_F_BROADCAST), optionally not back out of the ingress device. */
    static final long BPF_F_BROADCAST = 1 << 3;
    static final long BPF_F_EXCLUDE_INGRESS = 1 << 4;
    /** The low bits of bpf_redirect_map's flags: the action when the key has no entry. */
    static final long XDP_ACTION_MASK = 3;

    /**
     * bpf_redirect_map as the kernel's {@code __bpf_xdp_redirect_map}: flags beyond the fallback action (and, for
     * devmaps, BPF_F_BROADCAST and BPF_F_EXCLUDE_INGRESS) give XDP_ABORTED; a key (taken as u32) without an entry
     * gives the fallback action and forgets an earlier target, unless broadcasting; else XDP_REDIRECT, with the
     * map and key recorded for the run's result.
     */
    static long redirectMap(long map, long key, long flags, long r4, long r5) {
        RunState state = RunState.current();
        BpfMap target = state.map(map);
        if (!(target instanceof RedirectMap redirectMap)) {
            throw new RuntimeFault("redirect_map: " + (target == null ? "r1 is not a map" : target + " is not a devmap, cpumap or xskmap"));
        }
        MapType type = target.definition().type();
        boolean devmap = type == MapType.DEVMAP || type == MapType.DEVMAP_HASH;
        long allowed = XDP_ACTION_MASK | (devmap ? BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS : 0);
        if ((flags & ~allowed) != 0) {
            return XDP_ABORTED;
        }
        byte[] entry = redirectMap.target((int) key);
        boolean broadcast = (flags & BPF_F_BROADCAST) != 0;
        if (entry == null && !broadcast) {
            state.setRedirect(null);
            return flags & XDP_ACTION_MASK;
        }
        long ifindex = devmap && entry != null ? RedirectMap.firstWord(entry) : 0;
        state.setRedirect(new RunState.Redirect(ifindex, broadcast ? flags : 0, target.name(), key & 0xffffffffL));
        return XDP_REDIRECT;
    }

    /** The largest packet bpf_skb_change_tail/head make (the kernel's BPF_SKB_MAX_LEN, SKB_MAX_ALLOC on x86-64). */
    static final long SKB_MAX_LEN = 16064;

    /**
     * Replaces the sk_buff's packet with {@code length} bytes of a new buffer, {@code copyFrom} of the old one's
     * bytes placed at {@code copyTo} (the rest zero), as the kernel reallocates an skb's head: the run's packet,
     * its region, the context's data pointers and len follow.
     */
    static void replacePacket(RunState state, long length, long copyTo, long copyLength) {
        long start = state.allocateRunMemory(ProgramContexts.GUARD_BYTES + Math.max(length, 1) + ProgramContexts.GUARD_BYTES) + ProgramContexts.GUARD_BYTES;
        NativeMemory.fill(start, Math.max(length, 1), (byte) 0);
        NativeMemory.copy(state.packetStart(), start + copyTo, copyLength);
        state.regions().remove(state.packetStart());
        state.regions().add("packet", start, length, true);
        state.setPacket(start, start + length);
        long ctx = state.contextAddress();
        NativeMemory.writeU32(ctx + ProgramContexts.SKB_LEN, length);
        NativeMemory.writeU64(ctx + ProgramContexts.SKB_DATA_PTR, start);
        NativeMemory.writeU64(ctx + ProgramContexts.SKB_DATA_END_PTR, start + length);
        NativeMemory.writeU64(ctx + ProgramContexts.SKB_DATA_META_PTR, start);
    }

    /** bpf_skb_change_tail: trims or zero-extends the packet to {@code new_len}, never below the network header. */
    static long skbChangeTail(long ctx, long r2, long flags, long r4, long r5) {
        RunState state = skb(ctx, "skb_change_tail");
        if (!state.skbHasMacHeader()) {
            throw new RuntimeFault("skb_change_tail: only tc programs may resize their packet");
        }
        long length = r2 & 0xffffffffL;
        if (flags != 0 || length > SKB_MAX_LEN || length < state.skbNetworkOffset()) {
            return -Errno.EINVAL;
        }
        replacePacket(state, length, 0, Math.min(length, state.packetLength()));
        return 0;
    }

    /** bpf_skb_change_head: pushes {@code head_room} zero bytes in front of the packet, which become its MAC header. */
    static long skbChangeHead(long ctx, long r2, long flags, long r4, long r5) {
        RunState state = skb(ctx, "skb_change_head");
        if (!state.skbHasMacHeader()) {
            throw new RuntimeFault("skb_change_head: only tc programs may resize their packet");
        }
        long room = r2 & 0xffffffffL;
        long length = state.packetLength() + room;
        if (flags != 0 || length > SKB_MAX_LEN || length > 0xffffffffL) {
            return -Errno.EINVAL;
        }
        replacePacket(state, length, room, state.packetLength());
        state.setSkbNetworkOffset(state.skbNetworkOffset() + room);
        return 0;
    }

    static final long BPF_HDR_START_MAC = 0;
    static final long BPF_HDR_START_NET = 1;

    /**
     * bpf_skb_load_bytes_relative: from the MAC or the network header. A tc program's packet starts at the MAC
     * header, its network header 14 bytes later; a socket filter's packet starts at the network header, and we
     * hold no MAC header before it, so a load relative to the MAC header fails there (the kernel's test run has
     * one). A failed load zeroes the destination.
     */
    static long skbLoadBytesRelative(long ctx, long r2, long to, long r4, long r5) {
        RunState state = skb(ctx, "skb_load_bytes_relative");
        long offset = r2 & 0xffffffffL;
        long length = r4 & 0xffffffffL;
        long header = r5 & 0xffffffffL;
        state.regions().checkForHelper(to, length, true, "skb_load_bytes_relative destination");
        long start = -1;
        if (offset <= 0xffff) {
            boolean tc = state.skbHasMacHeader();
            if (header == BPF_HDR_START_MAC && tc) {
                start = 0;
            } else if (header == BPF_HDR_START_NET) {
                start = Math.min(state.skbNetworkOffset(), state.packetLength());
            }
        }
        if (start < 0 || start + offset + length > state.packetLength()) {
            NativeMemory.fill(to, length, (byte) 0);
            return -Errno.EFAULT;
        }
        NativeMemory.copy(state.packetStart() + start + offset, to, length);
        return 0;
    }

    /**
     * bpf_perf_event_output: {@code size} bytes from {@code data}, and for packet programs the first
     * {@code flags >> 32} bytes of the packet after them (BPF_F_CTXLEN_MASK), as one sample to the perf event in
     * the slot {@code flags & BPF_F_INDEX_MASK} names (BPF_F_CURRENT_CPU: the running CPU's).
     */
    static long perfEventOutput(long ctx, long map, long flags, long data, long r5) {
        RunState state = RunState.current();
        if (!(state.map(map) instanceof PerfEventArray events)) {
            throw new RuntimeFault("perf_event_output: r2 is not a perf event array");
        }
        long size = r5;
        if (size < 0 || size > Integer.MAX_VALUE) {
            throw new RuntimeFault("perf_event_output: size " + Long.toUnsignedString(size) + " is larger than any buffer");
        }
        state.regions().checkForHelper(data, size, false, "perf_event_output data");
        boolean packet = state.contextAddress() != 0 && ctx == state.contextAddress() && state.packetStart() != 0;
        long allowed = packet ? BPF_F_CTXLEN_MASK | BPF_F_INDEX_MASK : BPF_F_INDEX_MASK;
        if ((flags & ~allowed) != 0) {
            return -Errno.EINVAL;
        }
        long packetBytes = (flags & BPF_F_CTXLEN_MASK) >>> 32;
        if (packetBytes > state.packetLength()) {
            return -Errno.EFAULT;
        }
        long index = flags & BPF_F_INDEX_MASK;
        int cpu = state.options().cpu();
        if (index == BPF_F_CURRENT_CPU) {
            index = cpu;
        }
        byte[] sample = new byte[(int) (size + packetBytes)];
        System.arraycopy(NativeMemory.copyOut(data, (int) size), 0, sample, 0, (int) size);
        System.arraycopy(NativeMemory.copyOut(state.packetStart(), (int) packetBytes), 0, sample, (int) size, (int) packetBytes);
        return events.output(index, cpu, sample);
    }
}
