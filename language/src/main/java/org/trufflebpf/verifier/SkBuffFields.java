package org.trufflebpf.verifier;

import org.trufflebpf.model.ProgramType;
import org.trufflebpf.verifier.ProgramTypeRules.Access;

/**
 * Which bytes of {@code struct __sk_buff} socket filters and tc programs may load and store, and how wide: the
 * kernel's {@code bpf_skb_is_valid_access} with {@code sk_filter_is_valid_access} and
 * {@code tc_cls_act_is_valid_access} in front of it. Most fields are u32s that may be loaded in aligned
 * pieces of 1, 2 or 4 bytes and stored whole; {@code cb[]} may be touched at any aligned width; the packet
 * pointers and addresses only as whole u32s, the 64-bit fields only whole.
 */
final class SkBuffFields {
    private SkBuffFields() {
    }

    static final int SIZE = 192;

    /** A field: its name, first byte, length, and how it may be accessed. */
    private record Field(String name, int offset, int length, Shape shape) {
        boolean contains(int at) {
            return at >= offset && at < offset + length;
        }
    }

    private enum Shape {
        /** a u32: loads of 1, 2 or 4 bytes, stores of 4 */
        NARROW_U32,
        /** cb[]: any aligned width that stays inside the array */
        ANY_WIDTH,
        /** a u32 only loaded or stored whole */
        WHOLE_U32,
        /** a u64 only loaded or stored whole */
        WHOLE_U64,
        /** a byte, loaded whole */
        WHOLE_U8,
        /** never: the flow dissector's pointer and the padding after tstamp_type */
        NONE
    }

    private static final Field[] FIELDS = {
        new Field("len", 0, 4, Shape.NARROW_U32),
        new Field("pkt_type", 4, 4, Shape.NARROW_U32),
        new Field("mark", 8, 4, Shape.NARROW_U32),
        new Field("queue_mapping", 12, 4, Shape.NARROW_U32),
        new Field("protocol", 16, 4, Shape.NARROW_U32),
        new Field("vlan_present", 20, 4, Shape.NARROW_U32),
        new Field("vlan_tci", 24, 4, Shape.NARROW_U32),
        new Field("vlan_proto", 28, 4, Shape.NARROW_U32),
        new Field("priority", 32, 4, Shape.NARROW_U32),
        new Field("ingress_ifindex", 36, 4, Shape.NARROW_U32),
        new Field("ifindex", 40, 4, Shape.NARROW_U32),
        new Field("tc_index", 44, 4, Shape.NARROW_U32),
        new Field("cb", 48, 20, Shape.ANY_WIDTH),
        new Field("hash", 68, 4, Shape.NARROW_U32),
        new Field("tc_classid", 72, 4, Shape.NARROW_U32),
        new Field("data", 76, 4, Shape.WHOLE_U32),
        new Field("data_end", 80, 4, Shape.WHOLE_U32),
        new Field("napi_id", 84, 4, Shape.NARROW_U32),
        new Field("family", 88, 4, Shape.NARROW_U32),
        new Field("remote_ip4", 92, 4, Shape.WHOLE_U32),
        new Field("local_ip4", 96, 4, Shape.WHOLE_U32),
        new Field("remote_ip6", 100, 16, Shape.WHOLE_U32),
        new Field("local_ip6", 116, 16, Shape.WHOLE_U32),
        new Field("remote_port", 132, 4, Shape.NARROW_U32),
        new Field("local_port", 136, 4, Shape.NARROW_U32),
        new Field("data_meta", 140, 4, Shape.WHOLE_U32),
        new Field("flow_keys", 144, 8, Shape.NONE),
        new Field("tstamp", 152, 8, Shape.WHOLE_U64),
        new Field("wire_len", 160, 4, Shape.NARROW_U32),
        new Field("gso_segs", 164, 4, Shape.NARROW_U32),
        new Field("sk", 168, 8, Shape.WHOLE_U64),
        new Field("gso_size", 176, 4, Shape.NARROW_U32),
        new Field("tstamp_type", 180, 1, Shape.WHOLE_U8),
        new Field("padding", 181, 3, Shape.NONE),
        new Field("hwtstamp", 184, 8, Shape.WHOLE_U64),
    };

    /** Fields socket filters may not load (the packet, the socket addresses, tc's classid, timestamps). */
    private static final String[] SOCKET_UNREADABLE = {"tc_classid", "data", "data_end", "data_meta", "family", "remote_ip4", "local_ip4", "remote_ip6",
                    "local_ip6", "remote_port", "local_port", "tstamp", "wire_len", "hwtstamp", "tstamp_type"};
    /** Fields tc programs may not load: those of sockets only. */
    private static final String[] TC_UNREADABLE = {"family", "remote_ip4", "local_ip4", "remote_ip6", "local_ip6", "remote_port", "local_port"};
    private static final String[] SOCKET_WRITABLE = {"cb"};
    private static final String[] TC_WRITABLE = {"mark", "queue_mapping", "priority", "tc_index", "cb", "tc_classid", "tstamp"};

    static String problem(ProgramType type, int offset, int size, Access access) {
        String where = "context access at offset " + offset + " (" + size + " bytes): ";
        if (offset < 0 || offset >= SIZE) {
            return where + "outside struct __sk_buff (" + SIZE + " bytes)";
        }
        if (access == Access.ATOMIC) {
            return where + "atomic operations on the context are not allowed";
        }
        boolean store = access == Access.STORE;
        if (offset % size != 0) {
            return where + "not aligned to its size";
        }
        Field field = fieldAt(offset);
        boolean socket = type == ProgramType.SOCKET_FILTER;
        String kind = socket ? "socket_filter" : "sched_cls";
        if (access != Access.STORE && contains(socket ? SOCKET_UNREADABLE : TC_UNREADABLE, field.name())) {
            return where + kind + " programs may not read __sk_buff." + field.name();
        }
        if (store && !contains(socket ? SOCKET_WRITABLE : TC_WRITABLE, field.name())) {
            return where + kind + " programs may not write __sk_buff." + field.name();
        }
        return switch (field.shape()) {
            case NONE -> where + "__sk_buff." + field.name() + " may not be accessed";
            case ANY_WIDTH -> offset + size > field.offset() + field.length() ? where + "reaches past __sk_buff." + field.name() : null;
            case WHOLE_U32 -> size == 4 ? null : where + "__sk_buff." + field.name() + " is accessed whole, as 4 bytes";
            case WHOLE_U64 -> size == 8 && offset == field.offset() ? null : where + "__sk_buff." + field.name() + " is accessed whole, as 8 bytes";
            case WHOLE_U8 -> size == 1 ? null : where + "__sk_buff." + field.name() + " is one byte";
            case NARROW_U32 -> {
                if (store && size != 4) {
                    yield where + "__sk_buff." + field.name() + " is written whole, as 4 bytes";
                }
                yield size <= 4 ? null : where + "__sk_buff." + field.name() + " is 4 bytes";
            }
        };
    }

    private static Field fieldAt(int offset) {
        for (Field field : FIELDS) {
            if (field.contains(offset)) {
                return field;
            }
        }
        throw new IllegalStateException("no __sk_buff field at " + offset);
    }

    private static boolean contains(String[] names, String name) {
        for (String n : names) {
            if (n.equals(name)) {
                return true;
            }
        }
        return false;
    }
}
