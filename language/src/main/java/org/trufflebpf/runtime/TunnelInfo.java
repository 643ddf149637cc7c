package org.trufflebpf.runtime;

import java.util.HexFormat;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * A run's tunnel metadata, as the kernel's {@code struct ip_tunnel_info} holds it for an sk_buff: either
 * received ({@code rx}: the host gives it before the run, as a tunnel device would) or set by the program with
 * bpf_skb_set_tunnel_key for transmission ({@code tx}). Addresses are the kernel's {@code src} and {@code dst}
 * (4 or 16 bytes); {@code flags} the tunnel flags as bpf_skb_get_tunnel_key's {@code tunnel_flags} gives them
 * (TUNNEL_KEY 0x4, TUNNEL_CSUM 0x1, ..., in host order).
 *
 * <p>The text form, for {@code bpf run --tunnel} and the Context API, is comma-separated {@code name=value}
 * pairs in the program's terms: {@code id}, {@code remote}, {@code local} (IPv4 or IPv6 addresses, both of one
 * family), {@code tos}, {@code ttl}, {@code label}, {@code flags}, {@code opts} (hex bytes, a multiple of 4,
 * at most 252). For received metadata the remote end is the packet's source.
 */
public final class TunnelInfo {
    static final int TUNNEL_CSUM = 0x0001;
    static final int TUNNEL_KEY = 0x0004;
    static final int TUNNEL_SEQ = 0x0008;
    static final int TUNNEL_DONT_FRAGMENT = 0x0100;
    static final int TUNNEL_GENEVE_OPT = 0x0800;
    static final int TUNNEL_VXLAN_OPT = 0x1000;
    static final int TUNNEL_NOCACHE = 0x2000;
    static final int TUNNEL_ERSPAN_OPT = 0x4000;
    static final int TUNNEL_GTP_OPT = 0x8000;
    /** The bits the kernel's ip_tunnel_set_options_present sets, as far as the 16-bit flags show them. */
    static final int OPTIONS_PRESENT = TUNNEL_GENEVE_OPT | TUNNEL_VXLAN_OPT | TUNNEL_ERSPAN_OPT | TUNNEL_GTP_OPT;
    /** IP_TUNNEL_OPTS_MAX: options_len is a u8. */
    static final int OPTIONS_MAX = 255;

    final boolean tx;
    final boolean ipv6;
    final long id;
    final byte[] src;
    final byte[] dst;
    final int tos;
    final int ttl;
    final int label;
    int flags;
    byte[] options = new byte[0];

    TunnelInfo(boolean tx, boolean ipv6, long id, byte[] src, byte[] dst, int tos, int ttl, int label, int flags) {
        this.tx = tx;
        this.ipv6 = ipv6;
        this.id = id;
        this.src = src;
        this.dst = dst;
        this.tos = tos;
        this.ttl = ttl;
        this.label = label;
        this.flags = flags;
    }

    boolean optionsPresent() {
        return (flags & OPTIONS_PRESENT) != 0;
    }

    TunnelInfo copy() {
        TunnelInfo copy = new TunnelInfo(tx, ipv6, id, src.clone(), dst.clone(), tos, ttl, label, flags);
        copy.options = options.clone();
        return copy;
    }

    /** Received metadata from its text form; an IllegalArgumentException says what is wrong in one line. */
    public static TunnelInfo parse(String text) {
        long id = 0;
        byte[] remote = new byte[4];
        byte[] local = new byte[4];
        boolean remoteGiven = false;
        boolean localGiven = false;
        int tos = 0;
        int ttl = 0;
        int label = 0;
        int flags = -1;
        byte[] options = new byte[0];
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int equals = pair.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("tunnel: '" + pair.trim() + "' is not name=value");
            }
            String name = pair.substring(0, equals).trim().toLowerCase(Locale.ROOT);
            String value = pair.substring(equals + 1).trim();
            switch (name) {
                case "id" -> id = number(name, value, 0xffff_ffffL);
                case "remote" -> {
                    remote = address(name, value);
                    remoteGiven = true;
                }
                case "local" -> {
                    local = address(name, value);
                    localGiven = true;
                }
                case "tos" -> tos = (int) number(name, value, 0xff);
                case "ttl" -> ttl = (int) number(name, value, 0xff);
                case "label" -> label = (int) number(name, value, 0xfffff);
                case "flags" -> flags = (int) number(name, value, 0xffff);
                case "opts" -> options = hex(value);
                default -> throw new IllegalArgumentException("tunnel: unknown field '" + name + "' (id, remote, local, tos, ttl, label, flags, opts)");
            }
        }
        if (remoteGiven && !localGiven) {
            local = new byte[remote.length];
        } else if (localGiven && !remoteGiven) {
            remote = new byte[local.length];
        }
        if (remote.length != local.length) {
            throw new IllegalArgumentException("tunnel: remote and local must both be IPv4 or both IPv6");
        }
        boolean ipv6 = remote.length == 16;
        if (!ipv6 && label != 0) {
            throw new IllegalArgumentException("tunnel: a flow label needs IPv6 addresses");
        }
        if (options.length % 4 != 0 || options.length > OPTIONS_MAX) {
            throw new IllegalArgumentException("tunnel: opts must be a multiple of 4 bytes, at most 252");
        }
        // A tunnel device reports a key it received (TUNNEL_KEY) and options as present (here: Geneve's).
        int given = flags >= 0 ? flags : TUNNEL_KEY;
        if (options.length > 0 && (given & OPTIONS_PRESENT) == 0) {
            given |= TUNNEL_GENEVE_OPT;
        }
        TunnelInfo info = new TunnelInfo(false, ipv6, id, remote, local, tos, ttl, label, given);
        info.options = options;
        return info;
    }

    private static long number(String name, String value, long max) {
        try {
            long n = value.startsWith("0x") ? Long.parseLong(value.substring(2), 16) : Long.parseLong(value);
            if (n < 0 || n > max) {
                throw new IllegalArgumentException("tunnel: " + name + " must be between 0 and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("tunnel: " + name + " '" + value + "' is not a number");
        }
    }

    private static byte[] address(String name, String value) {
        try {
            return IpAddresses.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tunnel: " + name + " '" + value + "' is not an IPv4 or IPv6 address");
        }
    }

    private static byte[] hex(String value) {
        try {
            return HexFormat.of().parseHex(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tunnel: opts '" + value + "' is not hex bytes");
        }
    }

    /** The remote end in the program's terms: the destination of metadata to send, the source of received. */
    public String remote() {
        return IpAddresses.text(tx ? dst : src);
    }

    public String local() {
        return IpAddresses.text(tx ? src : dst);
    }

    public boolean transmit() {
        return tx;
    }

    public long id() {
        return id;
    }

    public int tos() {
        return tos;
    }

    public int ttl() {
        return ttl;
    }

    public int label() {
        return label;
    }

    public int flags() {
        return flags;
    }

    public byte[] options() {
        return options.clone();
    }

    @Override
    public String toString() {
        StringJoiner text = new StringJoiner(",");
        text.add("id=" + id).add("remote=" + remote()).add("local=" + local()).add("tos=" + tos).add("ttl=" + ttl);
        if (ipv6) {
            text.add("label=" + label);
        }
        text.add(String.format("flags=0x%x", flags));
        if (options.length > 0) {
            text.add("opts=" + HexFormat.of().formatHex(options));
        }
        return (tx ? "tx " : "rx ") + text;
    }
}
