package org.trufflebpf.elf;

import java.util.List;

/**
 * The types CO-RE relocations are applied against: the program contexts our engines model, with the layout the
 * kernel gives them (struct __sk_buff and struct xdp_md of include/uapi/linux/bpf.h). A relocation whose root
 * type has another name has no target here.
 */
final class CoreTargets {
    private CoreTargets() {
    }

    /** A field: name, byte offset, size, and its element size when it is an array (0 when not). */
    record Field(String name, int offset, int size, int elementSize) {
    }

    record Type(String name, int size, List<Field> fields) {
        Field field(String name) {
            return fields.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
        }
    }

    private static Field u32(String name, int offset) {
        return new Field(name, offset, 4, 0);
    }

    private static final Type SK_BUFF = new Type("__sk_buff", 192, List.of(u32("len", 0), u32("pkt_type", 4), u32("mark", 8), u32("queue_mapping", 12),
                    u32("protocol", 16), u32("vlan_present", 20), u32("vlan_tci", 24), u32("vlan_proto", 28), u32("priority", 32), u32("ingress_ifindex", 36),
                    u32("ifindex", 40), u32("tc_index", 44), new Field("cb", 48, 20, 4), u32("hash", 68), u32("tc_classid", 72), u32("data", 76),
                    u32("data_end", 80), u32("napi_id", 84), u32("family", 88), u32("remote_ip4", 92), u32("local_ip4", 96), new Field("remote_ip6", 100, 16, 4),
                    new Field("local_ip6", 116, 16, 4), u32("remote_port", 132), u32("local_port", 136), u32("data_meta", 140), new Field("flow_keys", 144, 8, 0),
                    new Field("tstamp", 152, 8, 0), u32("wire_len", 160), u32("gso_segs", 164), new Field("sk", 168, 8, 0), u32("gso_size", 176),
                    new Field("tstamp_type", 180, 1, 0), new Field("hwtstamp", 184, 8, 0)));

    private static final Type XDP_MD = new Type("xdp_md", 24, List.of(u32("data", 0), u32("data_end", 4), u32("data_meta", 8), u32("ingress_ifindex", 12),
                    u32("rx_queue_index", 16), u32("egress_ifindex", 20)));

    /**
     * The target type for a local type name, as libbpf matches them: a {@code ___suffix} ("flavor") is ignored,
     * so {@code struct __sk_buff___mine} relocates against {@code struct __sk_buff}; null when we model none.
     */
    static Type of(String localName) {
        int flavor = localName.indexOf("___", 1);
        String name = flavor > 0 ? localName.substring(0, flavor) : localName;
        return name.equals(SK_BUFF.name()) ? SK_BUFF : name.equals(XDP_MD.name()) ? XDP_MD : null;
    }
}
