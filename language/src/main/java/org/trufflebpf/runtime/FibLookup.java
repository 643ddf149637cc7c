package org.trufflebpf.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.trufflebpf.runtime.maps.Errno;

/**
 * bpf_fib_lookup against the run's {@link FibTable}, following net/core/filter.c (Linux 6.18): the argument
 * checks (-EINVAL, -EAFNOSUPPORT, -ENODEV), BPF_FIB_LKUP_RET_* for what the lookup finds, and the fields of
 * struct bpf_fib_lookup it fills (ifindex, rt_metric, the gateway in the destination, smac/dmac, mtu_result,
 * the VLAN fields cleared). There are no policy rules: a lookup without BPF_FIB_LOOKUP_DIRECT sees this host's
 * addresses, then the main table; with it, the main table or (BPF_FIB_LOOKUP_TBID) the table given.
 */
final class FibLookup {
    private FibLookup() {
    }

    /** sizeof(struct bpf_fib_lookup) and its fields' offsets. */
    static final int PARAMS_SIZE = 64;
    private static final int FAMILY = 0;
    private static final int TOT_LEN = 6;
    private static final int IFINDEX = 8;
    private static final int METRIC = 12;
    private static final int SRC = 16;
    private static final int DST = 32;
    private static final int TBID = 48;
    private static final int SMAC = 52;
    private static final int DMAC = 58;

    static final int BPF_FIB_LOOKUP_DIRECT = 1;
    static final int BPF_FIB_LOOKUP_OUTPUT = 2;
    static final int BPF_FIB_LOOKUP_SKIP_NEIGH = 4;
    static final int BPF_FIB_LOOKUP_TBID = 8;
    static final int BPF_FIB_LOOKUP_SRC = 16;
    static final int BPF_FIB_LOOKUP_MARK = 32;
    private static final int FLAGS_MASK = 0x3f;

    static final int RET_SUCCESS = 0;
    static final int RET_BLACKHOLE = 1;
    static final int RET_UNREACHABLE = 2;
    static final int RET_PROHIBIT = 3;
    static final int RET_NOT_FWDED = 4;
    static final int RET_FWD_DISABLED = 5;
    static final int RET_NO_NEIGH = 7;
    static final int RET_FRAG_NEEDED = 8;
    static final int RET_NO_SRC_ADDR = 9;

    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int ENODEV = 19;
    private static final int EAFNOSUPPORT = 97;
    /** What the kernel's is_skb_forwardable allows beyond the MTU: the Ethernet header and a VLAN tag. */
    private static final int FORWARDABLE_EXTRA = 14 + 4;

    static long lookup(long ctx, long params, long r3, long r4, long r5) {
        RunState state = RunState.current();
        if (ctx == 0 || ctx != state.contextAddress()) {
            throw new RuntimeFault("fib_lookup: r1 is not the context");
        }
        int plen = (int) r3;
        int flags = (int) r4;
        if (plen < PARAMS_SIZE || (flags & ~FLAGS_MASK) != 0) {
            return -Errno.EINVAL;
        }
        state.regions().checkForHelper(params, PARAMS_SIZE, true, "fib_lookup params");
        ByteBuffer p = ByteBuffer.wrap(NativeMemory.copyOut(params, PARAMS_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
        int family = p.get(FAMILY) & 0xff;
        if (family != AF_INET && family != AF_INET6) {
            return -EAFNOSUPPORT;
        }
        // tc checks the MTU only when the program gives tot_len, and else the packet against the device's.
        boolean skb = state.isSkbContext();
        boolean checkMtu = !skb || (p.getShort(TOT_LEN) & 0xffff) != 0;
        long result = lookup(state.fib(), p, flags, family == AF_INET6 ? 16 : 4, checkMtu);
        if (result == RET_SUCCESS && !checkMtu) {
            FibTable.Device out = state.fib().device(p.getInt(IFINDEX) & 0xffffffffL);
            if (state.packetLength() > out.mtu() + FORWARDABLE_EXTRA) {
                result = RET_FRAG_NEEDED;
            }
            p.putShort(TOT_LEN, (short) out.mtu());
        }
        NativeMemory.copyIn(p.array(), params);
        return result;
    }

    private static long lookup(FibTable fib, ByteBuffer p, int flags, int addressLength, boolean checkMtu) {
        FibTable.Device in = fib.device(p.getInt(IFINDEX) & 0xffffffffL);
        if (in == null) {
            return -ENODEV;
        }
        if (!in.forwarding()) {
            return RET_FWD_DISABLED;
        }
        byte[] dst = new byte[addressLength];
        p.get(DST, dst);
        FibTable.Route route;
        if ((flags & BPF_FIB_LOOKUP_DIRECT) != 0) {
            int table = (flags & BPF_FIB_LOOKUP_TBID) != 0 ? p.getInt(TBID) : FibTable.MAIN_TABLE;
            if (!fib.hasTable(table)) {
                return RET_NOT_FWDED;
            }
            route = fib.lookup(dst, table, false);
        } else {
            route = fib.lookup(dst, FibTable.MAIN_TABLE, true);
        }
        if (route == null) {
            return RET_NOT_FWDED;
        }
        switch (route.type()) {
            case BLACKHOLE -> {
                return RET_BLACKHOLE;
            }
            case UNREACHABLE -> {
                return RET_UNREACHABLE;
            }
            case PROHIBIT -> {
                return RET_PROHIBIT;
            }
            case LOCAL -> {
                return RET_NOT_FWDED;
            }
            case UNICAST -> {
                // below
            }
        }
        FibTable.Device out = fib.device(route.ifindex());
        int mtu = 0;
        if (checkMtu) {
            mtu = route.mtu() != 0 ? route.mtu() : out.mtu();
            if ((p.getShort(TOT_LEN) & 0xffff) > mtu) {
                p.putShort(TOT_LEN, (short) mtu);
                return RET_FRAG_NEEDED;
            }
        }
        p.putInt(METRIC, (int) route.metric());
        p.putInt(IFINDEX, route.ifindex());
        if ((flags & BPF_FIB_LOOKUP_SRC) != 0 && isZero(p, SRC, addressLength)) {
            byte[] source = route.source();
            if (source == null && !fib.localAddresses(route.ifindex(), addressLength).isEmpty()) {
                source = fib.localAddresses(route.ifindex(), addressLength).get(0);
            }
            if (source == null) {
                return RET_NO_SRC_ADDR;
            }
            p.put(SRC, source);
        }
        if (route.gateway() != null) {
            p.put(DST, route.gateway());
            dst = route.gateway();
        }
        if ((flags & BPF_FIB_LOOKUP_SKIP_NEIGH) == 0) {
            byte[] neighbour = fib.neighbour(route.ifindex(), dst);
            if (neighbour == null) {
                return RET_NO_NEIGH;
            }
            p.put(DMAC, neighbour);
            p.put(SMAC, out.mac());
        }
        // bpf_fib_set_fwd_params: no VLAN, and the MTU when it was checked.
        p.putInt(TBID, 0);
        if (mtu != 0) {
            p.putShort(TOT_LEN, (short) mtu);
        }
        return RET_SUCCESS;
    }

    private static boolean isZero(ByteBuffer p, int offset, int length) {
        for (int i = 0; i < length; i++) {
            if (p.get(offset + i) != 0) {
                return false;
            }
        }
        return true;
    }
}
