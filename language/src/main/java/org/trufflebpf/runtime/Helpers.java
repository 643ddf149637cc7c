package org.trufflebpf.runtime;

import java.nio.charset.StandardCharsets;

import org.trufflebpf.model.Helper;
import org.trufflebpf.runtime.maps.BpfMap;
import org.trufflebpf.runtime.maps.CgroupArray;
import org.trufflebpf.runtime.maps.Errno;
import org.trufflebpf.runtime.maps.MapOfMaps;
import org.trufflebpf.runtime.maps.RingBuffer;

/**
 * The helper functions, as plain static methods of five {@code long} arguments (r1 to r5) returning r0, so
 * the interpreter calls them directly and native code reaches them through upcall stubs. Each finds its run
 * through {@link RunState#current()} and checks every pointer argument against the run's memory regions; a
 * bad argument stops the run with a {@link RuntimeFault} that the engine places at the call.
 * {@code tail_call} is not here: each engine implements it itself.
 */
public final class Helpers {
    private Helpers() {
    }

    /** Calls helper {@code id}; the engine has already rejected unknown ids at load time (or, for callx, here). */
    public static long call(long id, long r1, long r2, long r3, long r4, long r5) {
        Helper helper = Helper.byId(id);
        if (helper == null) {
            throw new RuntimeFault("call to unknown helper " + id);
        }
        return switch (helper) {
            case MAP_LOOKUP_ELEM -> mapLookupElem(r1, r2, r3, r4, r5);
            case MAP_UPDATE_ELEM -> mapUpdateElem(r1, r2, r3, r4, r5);
            case MAP_DELETE_ELEM -> mapDeleteElem(r1, r2, r3, r4, r5);
            case KTIME_GET_NS -> ktimeGetNs(r1, r2, r3, r4, r5);
            case TRACE_PRINTK -> tracePrintk(r1, r2, r3, r4, r5);
            case GET_PRANDOM_U32 -> getPrandomU32(r1, r2, r3, r4, r5);
            case GET_SMP_PROCESSOR_ID -> getSmpProcessorId(r1, r2, r3, r4, r5);
            case GET_CURRENT_PID_TGID -> getCurrentPidTgid(r1, r2, r3, r4, r5);
            case SKB_LOAD_BYTES -> skbLoadBytes(r1, r2, r3, r4, r5);
            case XDP_ADJUST_HEAD -> xdpAdjustHead(r1, r2, r3, r4, r5);
            case XDP_ADJUST_META -> ProgramContexts.adjustXdpMeta(RunState.current(), r1, (int) r2);
            case XDP_ADJUST_TAIL -> ProgramContexts.adjustXdpTail(RunState.current(), r1, (int) r2);
            case KTIME_GET_BOOT_NS -> ktimeGetBootNs(r1, r2, r3, r4, r5);
            case RINGBUF_OUTPUT -> ringbufOutput(r1, r2, r3, r4, r5);
            case RINGBUF_RESERVE -> ringbufReserve(r1, r2, r3, r4, r5);
            case RINGBUF_SUBMIT -> ringbufSubmit(r1, r2, r3, r4, r5);
            case RINGBUF_DISCARD -> ringbufDiscard(r1, r2, r3, r4, r5);
            case SKB_STORE_BYTES -> PacketHelpers.skbStoreBytes(r1, r2, r3, r4, r5);
            case L3_CSUM_REPLACE -> PacketHelpers.l3CsumReplace(r1, r2, r3, r4, r5);
            case L4_CSUM_REPLACE -> PacketHelpers.l4CsumReplace(r1, r2, r3, r4, r5);
            case CSUM_DIFF -> PacketHelpers.csumDiff(r1, r2, r3, r4, r5);
            case CSUM_UPDATE -> PacketHelpers.csumUpdate(r1, r2, r3, r4, r5);
            case GET_HASH_RECALC -> PacketHelpers.getHashRecalc(r1, r2, r3, r4, r5);
            case SET_HASH -> PacketHelpers.setHash(r1, r2, r3, r4, r5);
            case REDIRECT -> PacketHelpers.redirect(r1, r2, r3, r4, r5);
            case SKB_GET_TUNNEL_KEY -> TunnelHelpers.getKey(r1, r2, r3, r4, r5);
            case SKB_SET_TUNNEL_KEY -> TunnelHelpers.setKey(r1, r2, r3, r4, r5);
            case SKB_GET_TUNNEL_OPT -> TunnelHelpers.getOpt(r1, r2, r3, r4, r5);
            case SKB_SET_TUNNEL_OPT -> TunnelHelpers.setOpt(r1, r2, r3, r4, r5);
            case PROBE_READ -> ProbeHelpers.read(r1, r2, r3, ProbeHelpers.legacyIsUser(r3), "probe_read");
            case PROBE_READ_STR -> ProbeHelpers.readString(r1, r2, r3, ProbeHelpers.legacyIsUser(r3), "probe_read_str");
            case PROBE_READ_USER -> ProbeHelpers.read(r1, r2, r3, true, "probe_read_user");
            case PROBE_READ_KERNEL -> ProbeHelpers.read(r1, r2, r3, false, "probe_read_kernel");
            case PROBE_READ_USER_STR -> ProbeHelpers.readString(r1, r2, r3, true, "probe_read_user_str");
            case PROBE_READ_KERNEL_STR -> ProbeHelpers.readString(r1, r2, r3, false, "probe_read_kernel_str");
            case FIB_LOOKUP -> FibLookup.lookup(r1, r2, r3, r4, r5);
            case REDIRECT_NEIGH -> SkbRedirects.redirectNeigh(r1, r2, r3, r4, r5);
            case CLONE_REDIRECT -> SkbRedirects.cloneRedirect(r1, r2, r3, r4, r5);
            case REDIRECT_MAP -> PacketHelpers.redirectMap(r1, r2, r3, r4, r5);
            case SKB_VLAN_PUSH -> SkbVlan.push(r1, r2, r3);
            case SKB_VLAN_POP -> SkbVlan.pop(r1);
            case SKB_CHANGE_TAIL -> PacketHelpers.skbChangeTail(r1, r2, r3, r4, r5);
            case SKB_CHANGE_HEAD -> PacketHelpers.skbChangeHead(r1, r2, r3, r4, r5);
            case SKB_LOAD_BYTES_RELATIVE -> PacketHelpers.skbLoadBytesRelative(r1, r2, r3, r4, r5);
            case PERF_EVENT_OUTPUT -> PacketHelpers.perfEventOutput(r1, r2, r3, r4, r5);
            case GET_STACKID -> StackHelpers.getStackId(r1, r2, r3);
            case GET_STACK -> StackHelpers.getStack(r1, r2, r3, r4);
            case SKB_UNDER_CGROUP -> underCgroup(r2, r3, "skb_under_cgroup");
            case CURRENT_TASK_UNDER_CGROUP -> underCgroup(r1, r2, "current_task_under_cgroup");
            case TAIL_CALL -> throw new IllegalStateException("tail_call is implemented by the engine");
        };
    }

    /**
     * bpf_skb_under_cgroup and bpf_current_task_under_cgroup: the packet's socket and the current task are both in
     * the run's cgroup (bpf.Cgroup), as a test run's dummy socket is in the caller's.
     */
    private static long underCgroup(long mapAddress, long index, String helper) {
        RunState state = RunState.current();
        if (!(state.map(mapAddress) instanceof CgroupArray cgroups)) {
            throw new RuntimeFault(helper + ": the map is not a cgroup array");
        }
        return cgroups.under(index & 0xffffffffL, state.cgroup());
    }

    private static BpfMap map(RunState state, long address, String helper) {
        BpfMap map = state.map(address);
        if (map == null) {
            throw new RuntimeFault(helper + ": r1 is not a map");
        }
        return map;
    }

    public static long mapLookupElem(long r1, long r2, long r3, long r4, long r5) {
        RunState state = RunState.current();
        BpfMap map = map(state, r1, "map_lookup_elem");
        state.regions().checkForHelper(r2, map.keySize(), false, "map_lookup_elem key");
        long found = map.lookupKeyAt(r2, state.options().cpu());
        if (found != 0 && map instanceof MapOfMaps) {
            // The inner map must be nameable by this run, and its values reachable once it is looked up.
            BpfMap inner = state.map(found);
            if (inner != null) {
                state.reach(inner);
            }
        }
        return found;
    }

    public static long mapUpdateElem(long r1, long r2, long r3, long r4, long r5) {
        RunState state = RunState.current();
        BpfMap map = map(state, r1, "map_update_elem");
        state.regions().checkForHelper(r2, map.keySize(), false, "map_update_elem key");
        state.regions().checkForHelper(r3, map.valueSize(), false, "map_update_elem value");
        return map.updateKeyAt(r2, r3, r4, state.options().cpu());
    }

    public static long mapDeleteElem(long r1, long r2, long r3, long r4, long r5) {
        RunState state = RunState.current();
        BpfMap map = map(state, r1, "map_delete_elem");
        state.regions().checkForHelper(r2, map.keySize(), false, "map_delete_elem key");
        return map.deleteKeyAt(r2);
    }

    public static long ktimeGetNs(long r1, long r2, long r3, long r4, long r5) {
        return RunState.current().readClock();
    }

    public static long ktimeGetBootNs(long r1, long r2, long r3, long r4, long r5) {
        return RunState.current().readClock();
    }

    public static long getPrandomU32(long r1, long r2, long r3, long r4, long r5) {
        return RunState.current().nextRandom();
    }

    public static long getSmpProcessorId(long r1, long r2, long r3, long r4, long r5) {
        return RunState.current().options().cpu();
    }

    /** A fixed pid and tgid, so runs are reproducible and both engines agree. */
    public static long getCurrentPidTgid(long r1, long r2, long r3, long r4, long r5) {
        return (4242L << 32) | 4243L;
    }

    public static long tracePrintk(long r1, long r2, long r3, long r4, long r5) {
        RunState state = RunState.current();
        if (r2 <= 0 || r2 > 4096) {
            return -Errno.EINVAL;
        }
        state.regions().checkForHelper(r1, r2, false, "trace_printk format");
        byte[] bytes = NativeMemory.copyOut(r1, (int) r2);
        int length = 0;
        while (length < bytes.length && bytes[length] != 0) {
            length++;
        }
        if (length == bytes.length) {
            return -Errno.EINVAL; // the kernel wants a NUL-terminated format
        }
        String text = TraceFormat.format(new String(bytes, 0, length, StandardCharsets.ISO_8859_1), r3, r4, r5);
        state.output().print(text);
        state.output().flush();
        return text.length();
    }

    public static long skbLoadBytes(long r1, long r2, long r3, long r4, long r5) {
        RunState state = RunState.current();
        long offset = r2 & 0xffffffffL;
        long length = r4 & 0xffffffffL;
        if (length == 0) {
            return -Errno.EFAULT;
        }
        state.regions().checkForHelper(r3, length, true, "skb_load_bytes destination");
        if (offset + length > state.packetLength()) {
            // As the kernel's: a copy that fails leaves zeros in the destination, not what it held.
            NativeMemory.fill(r3, length, (byte) 0);
            return -Errno.EFAULT;
        }
        NativeMemory.copy(state.packetStart() + offset, r3, length);
        return 0;
    }

    public static long xdpAdjustHead(long r1, long r2, long r3, long r4, long r5) {
        return ProgramContexts.adjustXdpHead(RunState.current(), r1, (int) r2);
    }

    private static RingBuffer ringBuffer(RunState state, long address, String helper) {
        if (map(state, address, helper) instanceof RingBuffer ring) {
            return ring;
        }
        throw new RuntimeFault(helper + ": r1 is not a ring buffer");
    }

    public static long ringbufOutput(long r1, long r2, long r3, long r4, long r5) {
        RunState state = RunState.current();
        RingBuffer ring = ringBuffer(state, r1, "ringbuf_output");
        state.regions().checkForHelper(r2, r3, false, "ringbuf_output data");
        return ring.output(r2, r3, r4);
    }

    /** The payload (never the header) becomes a writable region of this run until submit or discard. */
    public static long ringbufReserve(long r1, long r2, long r3, long r4, long r5) {
        RunState state = RunState.current();
        RingBuffer ring = ringBuffer(state, r1, "ringbuf_reserve");
        long payload = ring.reserve(r2, r3);
        if (payload != 0) {
            state.regions().add(ring.recordRegionName(), payload, r2, true);
        }
        return payload;
    }

    public static long ringbufSubmit(long r1, long r2, long r3, long r4, long r5) {
        release(r1, "ringbuf_submit", false);
        return 0;
    }

    public static long ringbufDiscard(long r1, long r2, long r3, long r4, long r5) {
        release(r1, "ringbuf_discard", true);
        return 0;
    }

    /** Like the kernel, a submitted or discarded record is out of the program's reach at once. */
    private static void release(long payload, String helper, boolean discard) {
        RingBuffer ring = reservedRing(payload, helper);
        RunState.current().regions().remove(payload);
        ring.commit(payload, discard);
    }

    private static RingBuffer reservedRing(long payload, String helper) {
        RunState state = RunState.current();
        if (state.maps() != null) {
            for (BpfMap map : state.maps().all()) {
                if (map instanceof RingBuffer ring && ring.isReserved(payload)) {
                    return ring;
                }
            }
        }
        throw new RuntimeFault(helper + ": r1 is not a reserved ring buffer record");
    }
}
