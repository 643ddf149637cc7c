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

    /**
     * The type libbpf would give a program in this ELF section, when our engines run that type; else RAW
     * ({@link ProgramSections#typeProblem} says why such a program cannot run as its section says).
     */
    public static ProgramType forSection(String section) {
        ProgramSections.Kind kind = ProgramSections.of(section);
        return kind == null || kind.runsAs() == null ? RAW : kind.runsAs();
    }

    /**
     * Parses {@code raw}, {@code socket}, {@code tc}, {@code xdp} as given to {@code --context}; Linux names
     * ({@code sched_cls}, {@code BPF_PROG_TYPE_XDP}) too.
     */
    public static ProgramType byName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return switch (lower.startsWith("bpf_prog_type_") ? lower.substring("bpf_prog_type_".length()) : lower) {
            case "raw", "mem", "memory" -> RAW;
            case "socket", "socket_filter", "skb" -> SOCKET_FILTER;
            case "tc", "sched_cls", "classifier", "sched_act", "action" -> SCHED_CLS;
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
