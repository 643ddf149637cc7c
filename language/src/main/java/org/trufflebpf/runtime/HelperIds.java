package org.trufflebpf.runtime;

/** The helpers we provide, by their Linux ids ({@code enum bpf_func_id}). */
public final class HelperIds {
    private HelperIds() {
    }

    public static final int MAP_LOOKUP_ELEM = 1;
    public static final int MAP_UPDATE_ELEM = 2;
    public static final int MAP_DELETE_ELEM = 3;
    public static final int KTIME_GET_NS = 5;
    public static final int TRACE_PRINTK = 6;
    public static final int GET_PRANDOM_U32 = 7;
    public static final int GET_SMP_PROCESSOR_ID = 8;
    public static final int TAIL_CALL = 12;
    public static final int GET_CURRENT_PID_TGID = 14;
    public static final int SKB_LOAD_BYTES = 26;
    public static final int XDP_ADJUST_HEAD = 44;
    public static final int KTIME_GET_BOOT_NS = 125;
    public static final int RINGBUF_OUTPUT = 130;
    public static final int RINGBUF_RESERVE = 131;
    public static final int RINGBUF_SUBMIT = 132;
    public static final int RINGBUF_DISCARD = 133;

    /** The helper's name without the {@code bpf_} prefix, or null when we do not provide it. */
    public static String name(long id) {
        return switch ((int) id == id ? (int) id : -1) {
            case MAP_LOOKUP_ELEM -> "map_lookup_elem";
            case MAP_UPDATE_ELEM -> "map_update_elem";
            case MAP_DELETE_ELEM -> "map_delete_elem";
            case KTIME_GET_NS -> "ktime_get_ns";
            case TRACE_PRINTK -> "trace_printk";
            case GET_PRANDOM_U32 -> "get_prandom_u32";
            case GET_SMP_PROCESSOR_ID -> "get_smp_processor_id";
            case TAIL_CALL -> "tail_call";
            case GET_CURRENT_PID_TGID -> "get_current_pid_tgid";
            case SKB_LOAD_BYTES -> "skb_load_bytes";
            case XDP_ADJUST_HEAD -> "xdp_adjust_head";
            case KTIME_GET_BOOT_NS -> "ktime_get_boot_ns";
            case RINGBUF_OUTPUT -> "ringbuf_output";
            case RINGBUF_RESERVE -> "ringbuf_reserve";
            case RINGBUF_SUBMIT -> "ringbuf_submit";
            case RINGBUF_DISCARD -> "ringbuf_discard";
            default -> null;
        };
    }

    public static boolean isKnown(long id) {
        return name(id) != null;
    }
}
