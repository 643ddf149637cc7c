package org.trufflebpf.model;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The helpers programs may call, each declared here once: its Linux id ({@code enum bpf_func_id}), its name
 * without the {@code bpf_} prefix, what each argument register must hold, what r0 holds afterwards, and which
 * program types may call it (the kernel's per-type helper lists). The assembler reads the names, the verifier
 * the argument and result kinds, the runtime and both engines the ids. An id that is not here is a helper no
 * engine provides.
 */
public enum Helper {
    MAP_LOOKUP_ELEM(1, "map_lookup_elem", Callers.ANY, Result.MAP_VALUE_OR_NULL, Argument.MAP, Argument.MAP_KEY),
    MAP_UPDATE_ELEM(2, "map_update_elem", Callers.ANY, Result.INTEGER, Argument.MAP, Argument.MAP_KEY, Argument.MAP_VALUE, Argument.ANYTHING),
    MAP_DELETE_ELEM(3, "map_delete_elem", Callers.ANY, Result.INTEGER, Argument.MAP, Argument.MAP_KEY),
    KTIME_GET_NS(5, "ktime_get_ns", Callers.ANY, Result.INTEGER),
    /** Packet writes (with the checksum helpers below) change the packet's data: pointers into it are stale after. */
    SKB_STORE_BYTES(9, "skb_store_bytes", Callers.TC, Result.INTEGER, Argument.CONTEXT, Argument.ANYTHING, Argument.READ_BUFFER, Argument.SIZE, Argument.ANYTHING),
    L3_CSUM_REPLACE(10, "l3_csum_replace", Callers.TC, Result.INTEGER, Argument.CONTEXT, Argument.ANYTHING, Argument.ANYTHING, Argument.ANYTHING, Argument.ANYTHING),
    L4_CSUM_REPLACE(11, "l4_csum_replace", Callers.TC, Result.INTEGER, Argument.CONTEXT, Argument.ANYTHING, Argument.ANYTHING, Argument.ANYTHING, Argument.ANYTHING),
    /** Linux checks the format and its size only; the values in r3 to r5 are read as the format asks. */
    TRACE_PRINTK(6, "trace_printk", Callers.ANY, Result.INTEGER, Argument.READ_BUFFER, Argument.SIZE),
    GET_PRANDOM_U32(7, "get_prandom_u32", Callers.ANY, Result.INTEGER),
    GET_SMP_PROCESSOR_ID(8, "get_smp_processor_id", Callers.ANY, Result.INTEGER),
    /** Each engine implements it itself: it replaces the running program, and returns only when it fails. */
    TAIL_CALL(12, "tail_call", Callers.ANY, Result.INTEGER, Argument.CONTEXT, Argument.PROG_ARRAY, Argument.ANYTHING),
    GET_CURRENT_PID_TGID(14, "get_current_pid_tgid", Callers.ANY, Result.INTEGER),
    /** tc's bpf_redirect, or XDP's bpf_xdp_redirect (the same id): records the target for the run's result. */
    REDIRECT(23, "redirect", Callers.TC_XDP, Result.INTEGER, Argument.ANYTHING, Argument.ANYTHING),
    /** Sends a copy of the packet to a device (recorded with its bytes for the run's result); the program goes on. */
    CLONE_REDIRECT(13, "clone_redirect", Callers.TC, Result.INTEGER, Argument.CONTEXT, Argument.ANYTHING, Argument.ANYTHING),
    /** As redirect, resolving the neighbour; r2 may be NULL (r3 0) or a struct bpf_redir_neigh next hop. */
    REDIRECT_NEIGH(152, "redirect_neigh", Callers.TC, Result.INTEGER, Argument.ANYTHING, Argument.READ_BUFFER_OR_NULL, Argument.SIZE_OR_ZERO, Argument.ANYTHING),
    /** The tunnel metadata helpers (struct bpf_tunnel_key of 44 bytes, or an older layout's size). */
    SKB_GET_TUNNEL_KEY(20, "skb_get_tunnel_key", Callers.TC, Result.INTEGER, Argument.CONTEXT, Argument.WRITE_BUFFER, Argument.SIZE, Argument.ANYTHING),
    SKB_SET_TUNNEL_KEY(21, "skb_set_tunnel_key", Callers.TC, Result.INTEGER, Argument.CONTEXT, Argument.READ_BUFFER, Argument.SIZE, Argument.ANYTHING),
    SKB_GET_TUNNEL_OPT(29, "skb_get_tunnel_opt", Callers.TC, Result.INTEGER, Argument.CONTEXT, Argument.WRITE_BUFFER, Argument.SIZE),
    SKB_SET_TUNNEL_OPT(30, "skb_set_tunnel_opt", Callers.TC, Result.INTEGER, Argument.CONTEXT, Argument.READ_BUFFER, Argument.SIZE),
    /** r2 is a struct bpf_fib_lookup the helper reads and fills (r3 its size), r4 the BPF_FIB_LOOKUP_* flags. */
    FIB_LOOKUP(69, "fib_lookup", Callers.TC_XDP, Result.INTEGER, Argument.CONTEXT, Argument.WRITE_BUFFER, Argument.SIZE, Argument.ANYTHING),
    /** The probe reads: r1 the destination, r2 its size, r3 the address to read; the legacy two are for tracing only, as the kernel has them. */
    PROBE_READ(4, "probe_read", Callers.TRACING, Result.INTEGER, Argument.WRITE_BUFFER, Argument.SIZE_OR_ZERO, Argument.ANYTHING),
    PROBE_READ_STR(45, "probe_read_str", Callers.TRACING, Result.INTEGER, Argument.WRITE_BUFFER, Argument.SIZE_OR_ZERO, Argument.ANYTHING),
    PROBE_READ_USER(112, "probe_read_user", Callers.ANY, Result.INTEGER, Argument.WRITE_BUFFER, Argument.SIZE_OR_ZERO, Argument.ANYTHING),
    PROBE_READ_KERNEL(113, "probe_read_kernel", Callers.ANY, Result.INTEGER, Argument.WRITE_BUFFER, Argument.SIZE_OR_ZERO, Argument.ANYTHING),
    PROBE_READ_USER_STR(114, "probe_read_user_str", Callers.ANY, Result.INTEGER, Argument.WRITE_BUFFER, Argument.SIZE_OR_ZERO, Argument.ANYTHING),
    PROBE_READ_KERNEL_STR(115, "probe_read_kernel_str", Callers.ANY, Result.INTEGER, Argument.WRITE_BUFFER, Argument.SIZE_OR_ZERO, Argument.ANYTHING),
    /** The map is a perf event array; r3 holds the index (or BPF_F_CURRENT_CPU) and, for packets, a length to append. */
    PERF_EVENT_OUTPUT(25, "perf_event_output", Callers.ANY, Result.INTEGER, Argument.CONTEXT, Argument.MAP, Argument.ANYTHING, Argument.READ_BUFFER,
                    Argument.SIZE_OR_ZERO),
    /**
     * The tracing helpers that record the call stack, here the BPF call chain at the call (see StackHelpers):
     * get_stackid stores it in a stack trace map and returns its id, get_stack copies it into a buffer.
     */
    GET_STACKID(27, "get_stackid", Callers.TRACING, Result.INTEGER, Argument.CONTEXT, Argument.MAP, Argument.ANYTHING),
    GET_STACK(67, "get_stack", Callers.TRACING, Result.INTEGER, Argument.CONTEXT, Argument.WRITE_BUFFER, Argument.SIZE_OR_ZERO, Argument.ANYTHING),
    /** Whether the packet's socket (here: the run's cgroup, bpf.Cgroup) lies under the cgroup in slot r3 of a cgroup array. */
    SKB_UNDER_CGROUP(33, "skb_under_cgroup", Callers.TC, Result.INTEGER, Argument.CONTEXT, Argument.MAP, Argument.ANYTHING),
    /** Whether the current task (the run's cgroup) lies under the cgroup in slot r2; Linux 6.12 on gives it to every program type. */
    CURRENT_TASK_UNDER_CGROUP(37, "current_task_under_cgroup", Callers.ANY, Result.INTEGER, Argument.MAP, Argument.ANYTHING),
    SKB_LOAD_BYTES(26, "skb_load_bytes", Callers.PACKET, Result.INTEGER, Argument.CONTEXT, Argument.ANYTHING, Argument.WRITE_BUFFER, Argument.SIZE),
    /** Either buffer may be NULL when its size is 0. */
    CSUM_DIFF(28, "csum_diff", Callers.TC_XDP, Result.INTEGER, Argument.READ_BUFFER_OR_NULL, Argument.SIZE_OR_ZERO, Argument.READ_BUFFER_OR_NULL, Argument.SIZE_OR_ZERO,
                    Argument.ANYTHING),
    GET_HASH_RECALC(34, "get_hash_recalc", Callers.TC, Result.INTEGER, Argument.CONTEXT),
    CSUM_UPDATE(40, "csum_update", Callers.TC, Result.INTEGER, Argument.CONTEXT, Argument.ANYTHING),
    XDP_ADJUST_HEAD(44, "xdp_adjust_head", Callers.XDP, Result.INTEGER, Argument.CONTEXT, Argument.ANYTHING),
    SET_HASH(48, "set_hash", Callers.TC, Result.INTEGER, Argument.CONTEXT, Argument.ANYTHING),
    SKB_VLAN_PUSH(18, "skb_vlan_push", Callers.TC, Result.INTEGER, Argument.CONTEXT, Argument.ANYTHING, Argument.ANYTHING),
    SKB_VLAN_POP(19, "skb_vlan_pop", Callers.TC, Result.INTEGER, Argument.CONTEXT),
    SKB_CHANGE_TAIL(38, "skb_change_tail", Callers.TC, Result.INTEGER, Argument.CONTEXT, Argument.ANYTHING, Argument.ANYTHING),
    SKB_CHANGE_HEAD(43, "skb_change_head", Callers.TC, Result.INTEGER, Argument.CONTEXT, Argument.ANYTHING, Argument.ANYTHING),
    XDP_ADJUST_META(54, "xdp_adjust_meta", Callers.XDP, Result.INTEGER, Argument.CONTEXT, Argument.ANYTHING),
    /** The map must be a devmap, cpumap or xskmap (the verifier says so for any other). */
    REDIRECT_MAP(51, "redirect_map", Callers.XDP, Result.INTEGER, Argument.MAP, Argument.ANYTHING, Argument.ANYTHING),
    XDP_ADJUST_TAIL(65, "xdp_adjust_tail", Callers.XDP, Result.INTEGER, Argument.CONTEXT, Argument.ANYTHING),
    SKB_LOAD_BYTES_RELATIVE(68, "skb_load_bytes_relative", Callers.PACKET, Result.INTEGER, Argument.CONTEXT, Argument.ANYTHING, Argument.WRITE_BUFFER, Argument.SIZE,
                    Argument.ANYTHING),
    KTIME_GET_BOOT_NS(125, "ktime_get_boot_ns", Callers.ANY, Result.INTEGER),
    RINGBUF_OUTPUT(130, "ringbuf_output", Callers.ANY, Result.INTEGER, Argument.MAP, Argument.READ_BUFFER, Argument.SIZE_OR_ZERO, Argument.ANYTHING),
    RINGBUF_RESERVE(131, "ringbuf_reserve", Callers.ANY, Result.RINGBUF_RECORD_OR_NULL, Argument.MAP, Argument.SIZE, Argument.ANYTHING),
    RINGBUF_SUBMIT(132, "ringbuf_submit", Callers.ANY, Result.VOID, Argument.RINGBUF_RECORD, Argument.ANYTHING),
    RINGBUF_DISCARD(133, "ringbuf_discard", Callers.ANY, Result.VOID, Argument.RINGBUF_RECORD, Argument.ANYTHING);

    /** What an argument register must hold; the comment names the kernel's {@code enum bpf_arg_type}. */
    public enum Argument {
        /** Any value, read as a number ({@code ARG_ANYTHING}). */
        ANYTHING,
        /** A byte count for the buffer in the register before it ({@code ARG_CONST_SIZE}, {@code ARG_CONST_ALLOC_SIZE_OR_ZERO}). */
        SIZE,
        /** As {@link #SIZE}, and 0 is allowed ({@code ARG_CONST_SIZE_OR_ZERO}). */
        SIZE_OR_ZERO,
        /** The program's context, r1 at entry ({@code ARG_PTR_TO_CTX}). */
        CONTEXT,
        /** A map reference, {@code lddw map:NAME} ({@code ARG_CONST_MAP_PTR}). */
        MAP,
        /** A prog array reference for a tail call ({@code ARG_CONST_MAP_PTR} of type prog_array). */
        PROG_ARRAY,
        /** Memory holding a key of the map argument's key size ({@code ARG_PTR_TO_MAP_KEY}). */
        MAP_KEY,
        /** Memory holding a value of the map argument's value size ({@code ARG_PTR_TO_MAP_VALUE}). */
        MAP_VALUE,
        /** Memory the helper reads ({@code ARG_PTR_TO_MEM | MEM_RDONLY}). */
        READ_BUFFER,
        /** As {@link #READ_BUFFER}, or NULL (a constant 0) when the size after it is 0 ({@code PTR_MAYBE_NULL}). */
        READ_BUFFER_OR_NULL,
        /** Memory the helper fills, which need not be initialised before ({@code ARG_PTR_TO_UNINIT_MEM}). */
        WRITE_BUFFER,
        /** A record from {@link Helper#RINGBUF_RESERVE} ({@code ARG_PTR_TO_RINGBUF_MEM}). */
        RINGBUF_RECORD;

        /** Whether the helper reads or writes memory through the argument, so that it must be a pointer. */
        public boolean isMemory() {
            return this == MAP_KEY || this == MAP_VALUE || this == READ_BUFFER || this == WRITE_BUFFER || this == RINGBUF_RECORD;
        }
    }

    /** What r0 holds after the call ({@code enum bpf_return_type}). */
    public enum Result {
        /** A number ({@code RET_INTEGER}). */
        INTEGER,
        /** Nothing the program may rely on ({@code RET_VOID}); our engines return 0. */
        VOID,
        /** A pointer to a map value, or NULL ({@code RET_PTR_TO_MAP_VALUE_OR_NULL}). */
        MAP_VALUE_OR_NULL,
        /** A ring-buffer record of the requested size, or NULL ({@code RET_PTR_TO_RINGBUF_MEM_OR_NULL}). */
        RINGBUF_RECORD_OR_NULL
    }

    /** The program types whose kernel helper list holds the helper. */
    public enum Callers {
        ANY,
        /** Socket filters and tc classifiers, which see an {@code __sk_buff}. */
        PACKET,
        /** tc classifiers only: packet writes, checksums, hashes. */
        TC,
        /** tc classifiers and XDP. */
        TC_XDP,
        XDP,
        /** Tracing programs (kprobes, tracepoints...), which run on the raw context here. */
        TRACING;

        boolean include(ProgramType type) {
            return switch (this) {
                case ANY -> true;
                case PACKET -> type.isPacket();
                case TC -> type == ProgramType.SCHED_CLS;
                case TC_XDP -> type == ProgramType.SCHED_CLS || type == ProgramType.XDP;
                case XDP -> type == ProgramType.XDP;
                case TRACING -> type == ProgramType.RAW;
            };
        }
    }

    private static final Helper[] BY_ID;
    private static final Set<Integer> IDS;

    static {
        int maxId = 0;
        for (Helper helper : values()) {
            maxId = Math.max(maxId, helper.id);
        }
        BY_ID = new Helper[maxId + 1];
        Set<Integer> ids = new TreeSet<>();
        for (Helper helper : values()) {
            BY_ID[helper.id] = helper;
            ids.add(helper.id);
        }
        IDS = Collections.unmodifiableSet(ids);
    }

    private final int id;
    private final String linuxName;
    private final Callers callers;
    private final Result result;
    private final List<Argument> arguments;

    Helper(int id, String linuxName, Callers callers, Result result, Argument... arguments) {
        this.id = id;
        this.linuxName = linuxName;
        this.callers = callers;
        this.result = result;
        this.arguments = List.of(arguments);
    }

    /** The Linux helper id, the immediate of {@code call}. */
    public int id() {
        return id;
    }

    /** The name without the {@code bpf_} prefix, as {@code BPF_FUNC_} names it and messages show it. */
    public String linuxName() {
        return linuxName;
    }

    /** What r1, r2, ... must hold, in order; registers after the last are not arguments the kernel checks. */
    public List<Argument> arguments() {
        return arguments;
    }

    public Result result() {
        return result;
    }

    /** Whether programs of this type may call the helper. */
    public boolean availableTo(ProgramType type) {
        return callers.include(type);
    }

    /** The helper with this id, or null when no engine provides it. */
    public static Helper byId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }

    /** The helper of a name, with or without the {@code bpf_} prefix, or null. */
    public static Helper byName(String name) {
        String bare = name.startsWith("bpf_") ? name.substring(4) : name;
        for (Helper helper : values()) {
            if (helper.linuxName.equals(bare)) {
                return helper;
            }
        }
        return null;
    }

    /** The ids of every helper here. */
    public static Set<Integer> ids() {
        return IDS;
    }
}
