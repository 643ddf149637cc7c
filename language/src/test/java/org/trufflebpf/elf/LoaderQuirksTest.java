package org.trufflebpf.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trufflebpf.elf.ElfBadInputTest.le;
import static org.trufflebpf.elf.ElfBadInputTest.symbol;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.asm.ObjectListing;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramSections;
import org.trufflebpf.model.ProgramType;
import org.trufflebpf.model.RefusedProgram;

/**
 * What libbpf accepts in objects from older toolchains and projects ({@code examples/c/loader/}): e_machine 0,
 * legacy map definitions with sizes left to the loader, ring buffers with a value type, legacy and numbered
 * section names; CO-RE relocations against the contexts we model applied; and what we refuse program by
 * program, each with its reason (undefined memset calls, map types we do not create).
 */
class LoaderQuirksTest {

    private static BpfObject load(String name) {
        return ElfLoader.load(ExampleObjects.bytes(name), name);
    }

    @Test
    void anObjectFromOldLlvmWithMachineZeroLoadsAsWithEmBpf() {
        byte[] bytes = ExampleObjects.bytes("counters.o");
        le(bytes).putShort(18, (short) 0);
        BpfObject old = ElfLoader.load(bytes, "counters.o");
        BpfObject current = load("counters.o");
        assertEquals(current.programs().stream().map(Program::code).toList(), old.programs().stream().map(Program::code).toList());
        assertEquals(current.maps().size(), old.maps().size());
    }

    @Test
    void aLegacyPerfEventArrayWithZeroEntriesGetsOneSlotPerCpuAndARingBufferDropsItsValueType() {
        BpfObject object = load("loader/legacy_perf.o");
        MapDefinition perf = object.maps().get(0);
        assertEquals(MapType.PERF_EVENT_ARRAY, perf.type());
        assertEquals(List.of(4, 4, Runtime.getRuntime().availableProcessors()), List.of(perf.keySize(), perf.valueSize(), perf.maxEntries()));
        MapDefinition ring = object.maps().get(1);
        assertEquals(MapType.RINGBUF, ring.type());
        assertEquals(List.of(0, 0, 4096), List.of(ring.keySize(), ring.valueSize(), ring.maxEntries()), "created without key or value, as the kernel requires");
        assertNull(ring.problem());
        assertEquals(List.of("to_perf", "to_ring"), object.programs().stream().map(Program::name).toList());
    }

    @Test
    void eachProgramAnOldToolchainLeftUnrunnableIsRefusedWithItsReasonAndTheGoodOnesLoad() {
        BpfObject object = load("loader/old_toolchain.o");
        assertEquals(List.of("good_len", "core_len"), object.programs().stream().map(Program::name).toList(), "core_len's relocation is applied");
        assertEquals(List.of(), object.maps(), "the queue map is not created");
        List<String> reasons = object.refused().stream().map(r -> r.name() + " -> " + r.reason().getMessage()).toList();
        assertEquals(List.of(
                        "clears -> loader/old_toolchain.o: function 'clears': insn 5 'call local -1': calls undefined function 'memset' (old clang leaves a"
                                        + " large struct clear or copy as this library call, which BPF cannot make and TruffleBPF does not lower)",
                        "queues -> loader/old_toolchain.o: function 'queues': insn 4 'lddw %r1, 0x0': uses map 'pending' of type queue"
                                        + " (BPF_MAP_TYPE_QUEUE), which TruffleBPF does not support"),
                        reasons);
        assertEquals(List.of("classifier", "classifier"), object.refused().stream().map(RefusedProgram::section).toList());
    }

    @Test
    void stackTraceMapsAndCgroupArraysLoadWithTheProgramsUsingThem() {
        BpfObject object = load("loader/kernel_object_maps.o");
        assertEquals(List.of("record_stack", "only_our_cgroup", "pass"), object.programs().stream().map(Program::name).toList());
        assertEquals(List.of("stacks", "cgroups"), object.maps().stream().map(MapDefinition::name).toList());
        assertEquals(List.of(), object.refused());
    }

    @Test
    void legacySectionNamesGiveTheTypeLibbpfZeroGaveAndOthersSayWhyTheyCannotRun() {
        BpfObject object = load("loader/legacy_project.o");
        assertEquals(List.of("xdp_prog1", "bpf_prog1", "tail_7", "trace_write", "no_bounds_check"), object.programs().stream().map(Program::name).toList());
        assertEquals(List.of(ProgramType.XDP, ProgramType.SOCKET_FILTER, ProgramType.RAW, ProgramType.RAW, ProgramType.XDP),
                        object.programs().stream().map(Program::type).toList());
        assertEquals("section '2/7' names no program type libbpf knows; give the type with --context (bpf.Context): raw, socket, tc or xdp",
                        ProgramSections.typeProblem("2/7"));
        assertEquals("section 'kprobe/ksys_write' makes it a kprobe program (BPF_PROG_TYPE_KPROBE), which TruffleBPF cannot run: it runs socket_filter,"
                        + " sched_cls and xdp programs", ProgramSections.typeProblem("kprobe/ksys_write"));
        assertNull(ProgramSections.typeProblem("xdp1"));
        assertNull(ProgramSections.typeProblem(null), "assembly and raw bytecode have no section: raw memory unless told");
        List<MapDefinition> maps = object.maps();
        assertEquals(List.of("rxcnt", "write_calls"), maps.stream().map(MapDefinition::name).toList());
    }

    @Test
    void sectionNamesMatchLibbpfsTable() {
        record Row(String section, String linuxType, ProgramType runsAs) {
        }
        List<Row> rows = List.of(new Row("socket", "socket_filter", ProgramType.SOCKET_FILTER), new Row("socket1", "socket_filter", ProgramType.SOCKET_FILTER),
                        new Row("xdp", "xdp", ProgramType.XDP), new Row("xdp1", "xdp", ProgramType.XDP), new Row("xdp_prog", "xdp", ProgramType.XDP),
                        new Row("xdp.frags", "xdp", ProgramType.XDP), new Row("xdp/devmap", "xdp", ProgramType.XDP),
                        new Row("tc", "sched_cls", ProgramType.SCHED_CLS), new Row("tcx/ingress", "sched_cls", ProgramType.SCHED_CLS),
                        new Row("classifier", "sched_cls", ProgramType.SCHED_CLS), new Row("action", "sched_act", ProgramType.SCHED_CLS),
                        new Row("sk_reuseport", "sk_reuseport", null), new Row("kprobe/do_sys_open", "kprobe", null),
                        new Row("kretprobe/do_sys_open", "kprobe", null), new Row("uprobe/libc.so:malloc", "kprobe", null),
                        new Row("tracepoint/syscalls/sys_enter_write", "tracepoint", null), new Row("tp/sched/sched_switch", "tracepoint", null),
                        new Row("raw_tracepoint/sched_switch", "raw_tracepoint", null), new Row("raw_tp/sched_switch", "raw_tracepoint", null),
                        new Row("raw_tp.w/x", "raw_tracepoint_writable", null), new Row("tp_btf/sched_switch", "tracing", null),
                        new Row("fentry/tcp_connect", "tracing", null), new Row("fexit/tcp_connect", "tracing", null),
                        new Row("cgroup_skb/ingress", "cgroup_skb", null), new Row("cgroup_skb/egress", "cgroup_skb", null),
                        new Row("cgroup/skb", "cgroup_skb", null), new Row("cgroup/connect4", "cgroup_sock_addr", null),
                        new Row("cgroup/sendmsg_unix", "cgroup_sock_addr", null), new Row("cgroup/sock_create", "cgroup_sock", null),
                        new Row("cgroup/dev", "cgroup_device", null), new Row("sk_skb/stream_parser", "sk_skb", null), new Row("sk_msg", "sk_msg", null),
                        new Row("lwt_in", "lwt_in", null), new Row("lwt_out", "lwt_out", null), new Row("lwt_xmit", "lwt_xmit", null),
                        new Row("lwt_seg6local", "lwt_seg6local", null), new Row("flow_dissector", "flow_dissector", null),
                        new Row("perf_event", "perf_event", null), new Row("sockops", "sock_ops", null), new Row("lsm/file_open", "lsm", null));
        for (Row row : rows) {
            ProgramSections.Kind kind = ProgramSections.of(row.section());
            assertEquals(new ProgramSections.Kind(row.linuxType(), row.runsAs()), kind, row.section());
            assertEquals(row.runsAs() == null ? ProgramType.RAW : row.runsAs(), ProgramType.forSection(row.section()), row.section());
        }
        assertEquals("BPF_PROG_TYPE_CGROUP_SKB", ProgramSections.of("cgroup_skb/ingress").linuxName());
        for (String unnamed : List.of("2/7", "1/0x1010", "from-container", "prog", ".text")) {
            assertNull(ProgramSections.of(unnamed), unnamed);
        }
    }

    @Test
    void programsNamedAfterTheirSectionsListAsQuotedLabelsThatAssembleBack() {
        // Without function symbols a section is one program named after it, as in hand-written or stripped objects.
        byte[] bytes = ExampleObjects.bytes("loader/legacy_project.o");
        for (String function : List.of("tail_7", "trace_write")) {
            bytes[symbol(bytes, function) + 4] = (byte) ((ElfFile.STB_GLOBAL << 4) | 0 /* STT_NOTYPE */);
        }
        BpfObject original = ElfLoader.load(bytes, "legacy_project.o");
        assertEquals(List.of("xdp_prog1", "bpf_prog1", "2/7", "kprobe/ksys_write", "no_bounds_check"), original.programs().stream().map(Program::name).toList());
        String listing = ObjectListing.list(original);
        assertEquals(true, listing.contains("\n.program \"2/7\" raw    # section 2/7\n\"2/7\":\n"), listing);
        assertEquals(true, listing.contains("\n\"kprobe/ksys_write\":\n"), listing);
        BpfObject again = Assembler.assemble(listing, "legacy_project.s");
        assertEquals(original.programs().stream().map(Program::name).toList(), again.programs().stream().map(Program::name).toList());
        for (int i = 0; i < original.programs().size(); i++) {
            assertEquals(original.programs().get(i).code(), again.programs().get(i).code(), original.programs().get(i).name());
            assertEquals(original.programs().get(i).symbols(), again.programs().get(i).symbols(), original.programs().get(i).name());
        }
    }

    @Test
    void quotedLabelsMayHoldCommentCharactersAndQuotesAndJumpsReachThem() {
        String text = ".program \"a#b;c//d\\\"e\" socket\n\"a#b;c//d\\\"e\": mov %r0, 1  # comment\n  ja \"x y\"\n\"x y\":\n  exit\n";
        Program program = Assembler.assemble(text, "q.s").programs().get(0);
        assertEquals("a#b;c//d\"e", program.name());
        assertEquals("a#b;c//d\"e", program.symbols().get(0));
        assertEquals("x y", program.symbols().get(2));
        assertEquals(0, program.code().get(1).offset(), "the jump lands on the label right after it");
        Program again = Assembler.assemble(ObjectListing.listProgram(program), "again.s").programs().get(0);
        assertEquals(program.code(), again.code());
        assertEquals(program.symbols(), again.symbols());
    }
}
