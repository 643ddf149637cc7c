package org.trufflebpf.model;

import java.util.Locale;

/**
 * What a program runs on, which decides its context (r1) and, for packets, how LD_ABS/LD_IND read. The type
 * follows the ELF section name as libbpf reads it; a section of no known type gets {@link #RAW}.
 */
public enum ProgramType {
    /** r1 = pointer to the bytes, r2 = their length, as in the conformance suite. */
    RAW,
    /** {@code struct __sk_buff} over packet bytes. */
    SOCKET_FILTER,
    /** tc classifier: {@code struct __sk_buff} over packet bytes. */
    SCHED_CLS,
    /** {@code struct xdp_md} with data and data_end. */
    XDP;

    /** The type libbpf would give a program in this ELF section. */
    public static ProgramType forSection(String section) {
        String s = section == null ? "" : section;
        if (s.equals("socket") || s.startsWith("socket/")) {
            return SOCKET_FILTER;
        }
        if (s.equals("tc") || s.startsWith("tc/") || s.equals("classifier") || s.startsWith("classifier/") || s.startsWith("tc_")
                        || s.startsWith("tcx/") || s.equals("action") || s.startsWith("action/")) {
            return SCHED_CLS;
        }
        if (s.equals("xdp") || s.startsWith("xdp/") || s.startsWith("xdp.")) {
            return XDP;
        }
        return RAW;
    }

    /** Parses {@code raw}, {@code socket}, {@code tc}, {@code xdp} as given to {@code --context}. */
    public static ProgramType byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "raw", "mem", "memory" -> RAW;
            case "socket", "socket_filter", "skb" -> SOCKET_FILTER;
            case "tc", "sched_cls", "classifier" -> SCHED_CLS;
            case "xdp" -> XDP;
            default -> null;
        };
    }

    /** The name {@link #byName} reads back: raw, socket, tc or xdp. */
    public String shortName() {
        return switch (this) {
            case RAW -> "raw";
            case SOCKET_FILTER -> "socket";
            case SCHED_CLS -> "tc";
            case XDP -> "xdp";
        };
    }

    public boolean isPacket() {
        return this == SOCKET_FILTER || this == SCHED_CLS;
    }
}
