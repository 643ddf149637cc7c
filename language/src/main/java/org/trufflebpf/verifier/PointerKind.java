package org.trufflebpf.verifier;

/**
 * What a {@link Value.MemoryPointer} points into. The names in messages are the kernel's register types, so
 * that a rejection reads like the kernel's ({@code R1 invalid mem access 'scalar'}).
 */
enum PointerKind {
    /** r1 at entry: the context struct, or for raw-memory programs the input bytes. */
    CONTEXT("ctx", false),
    /**
     * The context plus or minus a number: still dereferenceable (raw programs walk their input this way), but
     * none of its fields is a packet pointer, and the load-time rewrite does not touch loads through it.
     */
    MOVED_CONTEXT("ctx", false),
    /**
     * Raw-memory programs whose r2 holds the input's length at entry: the input's start plus a constant offset and
     * a variable part, with the bytes from start plus variable part proven to lie before the input's end as
     * {@code range}, exactly as packet pointers carry theirs ({@link InputLength}). Only reads through it are
     * proven (a caller's read-only buffer may be the input).
     */
    INPUT("ctx", true),
    /** {@code __sk_buff.data} or {@code xdp_md.data} loaded from the context. */
    PACKET("pkt", true),
    /** {@code data_end}: one past the packet. */
    PACKET_END("pkt_end", false),
    /** {@code data_meta}: the metadata before the packet. */
    PACKET_META("pkt_meta", true),
    /** A map value: a bpf_map_lookup_elem result or a global-data address ({@code lddw map_value:}). */
    MAP_VALUE("map_value", true),
    /** A bpf_ringbuf_reserve record. */
    RINGBUF_RECORD("ringbuf_mem", true),
    /**
     * Some pointer whose kind the analysis does not know: pointers of different kinds merged at a join, call
     * sites passing different kinds, the arguments a helper passes to a callback, or the context plus a
     * number. It may be dereferenced (the engines check such memory at run time); no arithmetic the verifier
     * cannot bound produces it.
     */
    ANY("ptr", false);

    final String kernelName;
    /**
     * Whether the verifier tracks the pointer's offset and proves its accesses in bounds (map values and
     * records against their size, packet pointers against the range their comparisons with the end proved).
     * Other kinds keep offset 0, so that a loop walking them does not multiply states.
     */
    final boolean tracksOffset;

    PointerKind(String kernelName, boolean tracksOffset) {
        this.kernelName = kernelName;
        this.tracksOffset = tracksOffset;
    }

    /** Packet data or metadata: accesses are proven against a range learned from comparisons. */
    boolean isPacket() {
        return this == PACKET || this == PACKET_META;
    }

    /** A helper result that is NULL when the helper fails: it must be compared with 0 before any use. */
    boolean nullChecked() {
        return this == MAP_VALUE || this == RINGBUF_RECORD;
    }
}
