package org.trufflebpf.runtime;

import org.trufflebpf.runtime.maps.Errno;

/**
 * tc's redirects beyond bpf_redirect, with the checks and results of net/core/filter.c: bpf_redirect_neigh
 * (the target, and the next hop if given, are recorded for the run's result) and bpf_clone_redirect (a copy
 * of the packet as it is at the call is recorded with its target). We model no network devices: ifindex 0 is
 * no device, any other is taken as one that accepts the clone, as the loopback device does under
 * BPF_PROG_TEST_RUN.
 */
final class SkbRedirects {
    private SkbRedirects() {
    }

    /** sizeof(struct bpf_redir_neigh): nh_family and a 16-byte address union. */
    static final int REDIR_NEIGH_SIZE = 20;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    /** Any flag, or a params length below the struct's, is TC_ACT_SHOT; else TC_ACT_REDIRECT. */
    static long redirectNeigh(long r1, long params, long r3, long flags, long r5) {
        RunState state = RunState.current();
        long ifindex = r1 & 0xffffffffL;
        int length = (int) r3;
        if ((length != 0 && length < REDIR_NEIGH_SIZE) || flags != 0) {
            return PacketHelpers.TC_ACT_SHOT;
        }
        RunState.Neighbour neighbour = new RunState.Neighbour(0, new byte[0]);
        if (length != 0) {
            state.regions().checkForHelper(params, REDIR_NEIGH_SIZE, false, "redirect_neigh params");
            int family = (int) NativeMemory.readU32(params);
            // The kernel copies the struct as it is; the family decides which address its neighbour code reads.
            int addressLength = family == AF_INET6 ? 16 : family == AF_INET ? 4 : 0;
            neighbour = new RunState.Neighbour(family, NativeMemory.copyOut(params + 4, addressLength));
        }
        state.setRedirect(new RunState.Redirect(ifindex, 0, neighbour));
        return PacketHelpers.TC_ACT_REDIRECT;
    }

    /**
     * Flags other than BPF_F_INGRESS, or no device: -EINVAL; a packet without a MAC header before its network
     * header: -ERANGE (the kernel frees the clone); else the clone is sent (0) and the program goes on.
     */
    static long cloneRedirect(long ctx, long r2, long flags, long r4, long r5) {
        RunState state = PacketHelpers.skb(ctx, "clone_redirect");
        long ifindex = r2 & 0xffffffffL;
        if ((flags & ~PacketHelpers.BPF_F_INGRESS) != 0 || ifindex == 0) {
            return -Errno.EINVAL;
        }
        if (state.skbNetworkOffset() <= 0 || state.packetLength() == 0) {
            return -Errno.ERANGE;
        }
        byte[] packet = NativeMemory.copyOut(state.packetStart(), (int) state.packetLength());
        state.addClone(new RunState.Clone(ifindex, flags, packet));
        return 0;
    }
}
