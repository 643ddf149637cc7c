package org.trufflebpf.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.trufflebpf.runtime.maps.Errno;

/**
 * bpf_skb_{get,set}_tunnel_{key,opt} over the run's {@link TunnelInfo}, with the checks and results of
 * net/core/filter.c (Linux 6.18): struct bpf_tunnel_key's size (44 bytes, or the older layouts of 28, 24, 22
 * and 8 bytes), its flags, and a failed get leaving zeros in the program's buffer.
 */
final class TunnelHelpers {
    private TunnelHelpers() {
    }

    /** sizeof(struct bpf_tunnel_key) and the offsets of its fields. */
    static final int KEY_SIZE = 44;
    private static final int REMOTE = 4;
    private static final int TOS = 20;
    private static final int TTL = 21;
    private static final int EXT_OR_FLAGS = 22;
    private static final int LABEL = 24;
    private static final int LOCAL = 28;
    /** The older layouts: up to local_ipv6 (28), tunnel_label (24), tunnel_ext (22) and remote_ipv6[1] (8). */
    private static boolean olderLayout(long size) {
        return size == LOCAL || size == LABEL || size == EXT_OR_FLAGS || size == 8;
    }

    static final long BPF_F_TUNINFO_IPV6 = 1;
    static final long BPF_F_ZERO_CSUM_TX = 1 << 1;
    static final long BPF_F_DONT_FRAGMENT = 1 << 2;
    static final long BPF_F_SEQ_NUMBER = 1 << 3;
    static final long BPF_F_NO_TUNNEL_KEY = 1 << 4;
    static final long BPF_F_TUNINFO_FLAGS = 1 << 4;
    private static final int EPROTO = 71;
    private static final int IPV6_FLOWLABEL_MASK = 0xfffff;

    static long setKey(long ctx, long from, long r3, long flags, long r5) {
        RunState state = PacketHelpers.skb(ctx, "skb_set_tunnel_key");
        long size = r3 & 0xffffffffL;
        if ((flags & ~(BPF_F_TUNINFO_IPV6 | BPF_F_ZERO_CSUM_TX | BPF_F_DONT_FRAGMENT | BPF_F_SEQ_NUMBER | BPF_F_NO_TUNNEL_KEY)) != 0) {
            return -Errno.EINVAL;
        }
        if (size != KEY_SIZE && !olderLayout(size)) {
            return -Errno.EINVAL;
        }
        state.regions().checkForHelper(from, size, false, "skb_set_tunnel_key key");
        // An older layout reads as the full one with zeros after its end.
        ByteBuffer key = ByteBuffer.allocate(KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        key.put(0, NativeMemory.copyOut(from, (int) size));
        boolean ipv6 = (flags & BPF_F_TUNINFO_IPV6) != 0;
        if ((!ipv6 && key.getInt(LABEL) != 0) || key.getShort(EXT_OR_FLAGS) != 0) {
            return -Errno.EINVAL;
        }
        int tunnelFlags = TunnelInfo.TUNNEL_NOCACHE;
        tunnelFlags |= (flags & BPF_F_DONT_FRAGMENT) != 0 ? TunnelInfo.TUNNEL_DONT_FRAGMENT : 0;
        tunnelFlags |= (flags & BPF_F_ZERO_CSUM_TX) == 0 ? TunnelInfo.TUNNEL_CSUM : 0;
        tunnelFlags |= (flags & BPF_F_SEQ_NUMBER) != 0 ? TunnelInfo.TUNNEL_SEQ : 0;
        tunnelFlags |= (flags & BPF_F_NO_TUNNEL_KEY) == 0 ? TunnelInfo.TUNNEL_KEY : 0;
        long id = key.getInt(0) & 0xffffffffL;
        int tos = key.get(TOS) & 0xff;
        int ttl = key.get(TTL) & 0xff;
        TunnelInfo info;
        if (ipv6) {
            byte[] remote = new byte[16];
            byte[] local = new byte[16];
            key.get(REMOTE, remote);
            key.get(LOCAL, local);
            info = new TunnelInfo(true, true, id, local, remote, tos, ttl, key.getInt(LABEL) & IPV6_FLOWLABEL_MASK, tunnelFlags);
        } else {
            // remote_ipv4 and local_ipv4 are numbers in host order; the kernel stores them big-endian.
            info = new TunnelInfo(true, false, id, bigEndian(key.getInt(LOCAL)), bigEndian(key.getInt(REMOTE)), tos, ttl, 0, tunnelFlags);
        }
        state.setTunnel(info);
        return 0;
    }

    private static byte[] bigEndian(int value) {
        return ByteBuffer.allocate(4).putInt(value).array();
    }

    static long getKey(long ctx, long to, long r3, long flags, long r5) {
        RunState state = PacketHelpers.skb(ctx, "skb_get_tunnel_key");
        long size = r3 & 0xffffffffL;
        state.regions().checkForHelper(to, size, true, "skb_get_tunnel_key key");
        TunnelInfo info = state.tunnel();
        long error = 0;
        if (info == null || (flags & ~(BPF_F_TUNINFO_IPV6 | BPF_F_TUNINFO_FLAGS)) != 0) {
            error = -Errno.EINVAL;
        } else if (info.ipv6 != ((flags & BPF_F_TUNINFO_IPV6) != 0)) {
            error = -EPROTO;
        } else if (size != KEY_SIZE && (!olderLayout(size) || size == 8 && info.ipv6)) {
            // The 8-byte layout holds an IPv4 remote address only.
            error = -Errno.EINVAL;
        }
        if (error != 0) {
            NativeMemory.fill(to, size, (byte) 0);
            return error;
        }
        ByteBuffer key = ByteBuffer.allocate(KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        key.putInt(0, (int) info.id);
        key.put(TOS, (byte) info.tos);
        key.put(TTL, (byte) info.ttl);
        if ((flags & BPF_F_TUNINFO_FLAGS) != 0) {
            key.order(ByteOrder.BIG_ENDIAN).putShort(EXT_OR_FLAGS, (short) info.flags).order(ByteOrder.LITTLE_ENDIAN);
        }
        // The remote end is the metadata's source, the local its destination, whichever way it goes.
        if (info.ipv6) {
            key.put(REMOTE, info.src);
            key.put(LOCAL, info.dst);
            key.putInt(LABEL, info.label);
        } else {
            key.putInt(REMOTE, ByteBuffer.wrap(info.src).getInt());
            key.putInt(LOCAL, ByteBuffer.wrap(info.dst).getInt());
        }
        NativeMemory.copyIn(Arrays.copyOf(key.array(), (int) size), to);
        return 0;
    }

    /** The options' length, the rest of the buffer zeroed; -ENOENT without options, -ENOMEM if they do not fit. */
    static long getOpt(long ctx, long to, long r3, long r4, long r5) {
        RunState state = PacketHelpers.skb(ctx, "skb_get_tunnel_opt");
        long size = r3 & 0xffffffffL;
        state.regions().checkForHelper(to, size, true, "skb_get_tunnel_opt options");
        TunnelInfo info = state.tunnel();
        NativeMemory.fill(to, size, (byte) 0);
        if (info == null || !info.optionsPresent()) {
            return -Errno.ENOENT;
        }
        if (size < info.options.length) {
            return -Errno.ENOMEM;
        }
        NativeMemory.copyIn(info.options, to);
        return info.options.length;
    }

    /** Only on metadata this run's set_tunnel_key made (the kernel's per-CPU metadata dst), in 4-byte units. */
    static long setOpt(long ctx, long from, long r3, long r4, long r5) {
        RunState state = PacketHelpers.skb(ctx, "skb_set_tunnel_opt");
        long size = r3 & 0xffffffffL;
        state.regions().checkForHelper(from, size, false, "skb_set_tunnel_opt options");
        TunnelInfo info = state.tunnel();
        if (info == null || !info.tx || (size & 3) != 0) {
            return -Errno.EINVAL;
        }
        if (size > TunnelInfo.OPTIONS_MAX) {
            return -Errno.ENOMEM;
        }
        info.options = NativeMemory.copyOut(from, (int) size);
        if (size > 0) {
            info.flags |= TunnelInfo.OPTIONS_PRESENT;
        }
        return 0;
    }
}
