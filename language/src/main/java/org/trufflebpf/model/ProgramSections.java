package org.trufflebpf.model;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * libbpf's table of program section names: the Linux program type ({@code enum bpf_prog_type}) each section
 * name gives, and the {@link ProgramType} our engines run it as, if any. Names match as libbpf 1.x matches them
 * (exactly, or a {@code prefix/...} for the attach-target kinds such as {@code kprobe/}); then, as libbpf 0.x
 * did and real projects still rely on, by bare prefix ({@code xdp1}, {@code xdp_prog}, {@code socket1}).
 * A section that matches nothing ({@code 2/7}, as tc loaders number tail-call targets) names no type.
 */
public final class ProgramSections {
    private ProgramSections() {
    }

    /**
     * What a section name says.
     *
     * @param linuxType the {@code enum bpf_prog_type} name without its prefix, lower case ({@code kprobe})
     * @param runsAs    the type our engines run it as, or null when they cannot run programs of that type
     */
    public record Kind(String linuxType, ProgramType runsAs) {
        /** {@code BPF_PROG_TYPE_KPROBE}. */
        public String linuxName() {
            return "BPF_PROG_TYPE_" + linuxType.toUpperCase(Locale.ROOT);
        }
    }

    /** One row: {@code name} matches exactly; with {@code subsections} also as {@code name/anything}. */
    private record Row(String name, boolean subsections, Kind kind) {
    }

    private static final List<Row> ROWS = List.of(
                    row("socket", false, "socket_filter", ProgramType.SOCKET_FILTER),
                    row("sk_reuseport", true, "sk_reuseport", null),
                    row("kprobe", true, "kprobe", null), row("kretprobe", true, "kprobe", null),
                    row("uprobe", true, "kprobe", null), row("uretprobe", true, "kprobe", null),
                    row("uprobe.s", true, "kprobe", null), row("uretprobe.s", true, "kprobe", null),
                    row("kprobe.multi", true, "kprobe", null), row("kretprobe.multi", true, "kprobe", null),
                    row("kprobe.session", true, "kprobe", null), row("uprobe.multi", true, "kprobe", null),
                    row("uretprobe.multi", true, "kprobe", null), row("ksyscall", true, "kprobe", null),
                    row("kretsyscall", true, "kprobe", null), row("usdt", true, "kprobe", null),
                    row("tc", true, "sched_cls", ProgramType.SCHED_CLS), row("tcx", true, "sched_cls", ProgramType.SCHED_CLS),
                    row("netkit", true, "sched_cls", ProgramType.SCHED_CLS), row("classifier", true, "sched_cls", ProgramType.SCHED_CLS),
                    // A tc action gets the same struct __sk_buff as a classifier; only what r0 means differs.
                    row("action", true, "sched_act", ProgramType.SCHED_CLS),
                    row("tracepoint", true, "tracepoint", null), row("tp", true, "tracepoint", null),
                    row("raw_tracepoint", true, "raw_tracepoint", null), row("raw_tp", true, "raw_tracepoint", null),
                    row("raw_tracepoint.w", true, "raw_tracepoint_writable", null), row("raw_tp.w", true, "raw_tracepoint_writable", null),
                    row("tp_btf", true, "tracing", null), row("fentry", true, "tracing", null), row("fexit", true, "tracing", null),
                    row("fmod_ret", true, "tracing", null), row("fentry.s", true, "tracing", null), row("fexit.s", true, "tracing", null),
                    row("fmod_ret.s", true, "tracing", null), row("iter", true, "tracing", null), row("iter.s", true, "tracing", null),
                    row("freplace", true, "ext", null), row("lsm", true, "lsm", null), row("lsm.s", true, "lsm", null),
                    row("lsm_cgroup", true, "lsm", null), row("struct_ops", true, "struct_ops", null), row("struct_ops.s", true, "struct_ops", null),
                    row("syscall", false, "syscall", null),
                    row("xdp", true, "xdp", ProgramType.XDP), row("xdp.frags", true, "xdp", ProgramType.XDP),
                    row("perf_event", false, "perf_event", null),
                    row("lwt_in", false, "lwt_in", null), row("lwt_out", false, "lwt_out", null), row("lwt_xmit", false, "lwt_xmit", null),
                    row("lwt_seg6local", false, "lwt_seg6local", null),
                    row("sockops", false, "sock_ops", null), row("sk_skb", true, "sk_skb", null), row("sk_msg", false, "sk_msg", null),
                    row("lirc_mode2", false, "lirc_mode2", null), row("flow_dissector", false, "flow_dissector", null),
                    row("cgroup_skb", true, "cgroup_skb", null), row("cgroup/skb", false, "cgroup_skb", null),
                    row("cgroup/sock", false, "cgroup_sock", null), row("cgroup/sock_create", false, "cgroup_sock", null),
                    row("cgroup/sock_release", false, "cgroup_sock", null), row("cgroup/post_bind4", false, "cgroup_sock", null),
                    row("cgroup/post_bind6", false, "cgroup_sock", null), row("cgroup/dev", false, "cgroup_device", null),
                    row("cgroup/sysctl", false, "cgroup_sysctl", null), row("cgroup/getsockopt", false, "cgroup_sockopt", null),
                    row("cgroup/setsockopt", false, "cgroup_sockopt", null), row("sk_lookup", false, "sk_lookup", null),
                    row("netfilter", false, "netfilter", null));

    /** The socket-address hooks: {@code cgroup/bind4}, {@code cgroup/connect6}, {@code cgroup/sendmsg_unix}, .... */
    private static final List<String> SOCK_ADDR_HOOKS = List.of("bind", "connect", "sendmsg", "recvmsg", "getpeername", "getsockname");

    /** Bare prefixes tried last, longest first, so that {@code tp_btf1} is tracing before {@code tp} says tracepoint. */
    private static final List<Row> BY_PREFIX = ROWS.stream().filter(r -> !r.name().contains("/")).sorted(Comparator.comparingInt((Row r) -> -r.name().length()))
                    .toList();

    private static Row row(String name, boolean subsections, String linuxType, ProgramType runsAs) {
        return new Row(name, subsections, new Kind(linuxType, runsAs));
    }

    /** What the section name says, or null when it names no program type. */
    public static Kind of(String section) {
        if (section == null || section.isEmpty()) {
            return null;
        }
        for (Row row : ROWS) {
            if (section.equals(row.name()) || row.subsections() && section.startsWith(row.name() + "/")) {
                return row.kind();
            }
        }
        if (section.startsWith("cgroup/")) {
            String hook = section.substring("cgroup/".length());
            for (String name : SOCK_ADDR_HOOKS) {
                if (hook.equals(name + "4") || hook.equals(name + "6") || hook.equals(name + "_unix")) {
                    return new Kind("cgroup_sock_addr", null);
                }
            }
        }
        for (Row row : BY_PREFIX) {
            if (section.startsWith(row.name())) {
                return row.kind();
            }
        }
        return null;
    }

    /**
     * Why a program of this section cannot run as its section says, or null when it can: the section names a
     * type our engines do not run, or (an object's program, whose section is not null) no type at all. A
     * {@code bpf.Context} given by the host settles both.
     */
    public static String typeProblem(String section) {
        if (section == null) {
            return null;
        }
        Kind kind = of(section);
        if (kind == null) {
            return "section '" + section + "' names no program type libbpf knows; give the type with --context (bpf.Context): raw, socket, tc or xdp";
        }
        if (kind.runsAs() == null) {
            return "section '" + section + "' makes it a " + kind.linuxType() + " program (" + kind.linuxName()
                            + "), which TruffleBPF cannot run: it runs socket_filter, sched_cls and xdp programs";
        }
        return null;
    }
}
