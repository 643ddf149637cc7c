package org.trufflebpf.asm;

import java.util.Map;

/** Linux helper names the assembler accepts in {@code call NAME}, with or without the {@code bpf_} prefix. */
final class HelperNames {
    private HelperNames() {
    }

    private static final Map<String, Integer> IDS = Map.ofEntries(
                    Map.entry("map_lookup_elem", 1),
                    Map.entry("map_update_elem", 2),
                    Map.entry("map_delete_elem", 3),
                    Map.entry("ktime_get_ns", 5),
                    Map.entry("trace_printk", 6),
                    Map.entry("get_prandom_u32", 7),
                    Map.entry("get_smp_processor_id", 8),
                    Map.entry("tail_call", 12),
                    Map.entry("get_current_pid_tgid", 14),
                    Map.entry("skb_load_bytes", 26),
                    Map.entry("xdp_adjust_head", 44),
                    Map.entry("ktime_get_boot_ns", 125),
                    Map.entry("ringbuf_output", 130),
                    Map.entry("ringbuf_reserve", 131),
                    Map.entry("ringbuf_submit", 132),
                    Map.entry("ringbuf_discard", 133));

    /** The helper id of a name, or -1. */
    static int idOf(String name) {
        String bare = name.startsWith("bpf_") ? name.substring(4) : name;
        Integer id = IDS.get(bare);
        return id == null ? -1 : id;
    }
}
