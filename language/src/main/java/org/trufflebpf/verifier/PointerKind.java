package org.trufflebpf.verifier;

/**
 * What a {@link Value.MemoryPointer} points into. The names in messages are the kernel's register types, so
 * that a rejection reads like the kernel's ({@code R1 invalid mem access 'scalar'}).
 */
enum PointerKind {
    /** r1 at entry: the context struct, or for raw-memory programs the input bytes. */
    CONTEXT("ctx"),
    /**
     * The context plus or minus a number: still dereferenceable (raw programs walk their input this way), but
     * none of its fields is a packet pointer, and the load-time rewrite does not touch loads through it.
     */
    MOVED_CONTEXT("ctx"),
    /** {@code __sk_buff.data} or {@code xdp_md.data} loaded from the context. */
    PACKET("pkt"),
    /** {@code data_end}: one past the packet. */
    PACKET_END("pkt_end"),
    /** {@code data_meta}: the metadata before the packet. */
    PACKET_META("pkt_meta"),
    /** A map value: a bpf_map_lookup_elem result or a global-data address ({@code lddw map_value:}). */
    MAP_VALUE("map_value"),
    /** A bpf_ringbuf_reserve record. */
    RINGBUF_RECORD("ringbuf_mem"),
    /**
     * Some pointer whose kind the analysis does not know: pointers of different kinds merged at a join, call
     * sites passing different kinds, the arguments a helper passes to a callback, or the context plus a
     * number. It may be dereferenced (the engines check such memory at run time); no arithmetic the verifier
     * cannot bound produces it.
     */
    ANY("ptr");

    final String kernelName;

    PointerKind(String kernelName) {
        this.kernelName = kernelName;
    }
}
