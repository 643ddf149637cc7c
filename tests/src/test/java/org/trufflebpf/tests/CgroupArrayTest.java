package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;
import org.trufflebpf.kernel.KernelCgroups;
import org.trufflebpf.kernel.KernelEngineService;
import org.trufflebpf.kernel.KernelMapCreation;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;

/**
 * Cgroup arrays with bpf_skb_under_cgroup and bpf_current_task_under_cgroup ({@code examples/c/cgroup_ops.c}, a tc
 * program keeping the helper's answer in a map). The run's task and its packet's socket are in the cgroup bpf.Cgroup
 * names; the kernel engine's are in this process's own cgroup (a test run's dummy socket takes its caller's), so
 * the engines are compared with bpf.Cgroup set to that. The answers were recorded on Linux 6.18 (the kernel
 * engine); where bpf(2) works and a cgroup v2 hierarchy is mounted (and TRUFFLEBPF_NO_KERNEL is not 1) the kernel
 * engine is run again and must still give them.
 */
class CgroupArrayTest {
    private static final String CHILD = "trufflebpf-cgroup-test-" + ProcessHandle.current().pid();

    private static boolean kernelPresent() {
        return new KernelEngineService().unavailableReason() == null && !"1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL")) && KernelCgroups.mount() != null;
    }

    private static byte[] command(int slot, int helper) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(0, slot).putInt(4, helper).array();
    }

    private static Source object() {
        return Source.newBuilder("bpf", new File(KernelEngineTest.ROOT.toFile(), "examples/c/cgroup_ops.o")).buildLiteral();
    }

    private static String child(String parent) {
        return (parent.equals("/") ? "" : parent) + "/" + CHILD;
    }

    /** Each helper (skb, then task) on slots 0 to 4 of: the root, the run's cgroup, a child of it, nothing; 4 is past the end. */
    private static List<Integer> answers(String engine, String cgroup, String... slots) {
        List<Integer> answers = new ArrayList<>();
        try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).option("bpf.Cgroup", cgroup).build()) {
            Value module = context.eval(object());
            Value cgroups = module.getMember("cgroups");
            for (int i = 0; i < slots.length; i++) {
                cgroups.setArrayElement(i, slots[i]);
            }
            Value program = module.getMember("cgroup_ops");
            for (int helper = 0; helper < 2; helper++) {
                for (int slot = 0; slot < 5; slot++) {
                    long action = program.execute((Object) command(slot, helper)).asLong();
                    long answer = module.getMember("answers").getArrayElement(0).asLong();
                    assertEquals(answer == 1 ? 0 : 2, action, "TC_ACT_OK in the cgroup, else TC_ACT_SHOT");
                    answers.add((int) answer);
                }
            }
        }
        return answers;
    }

    /** Under the root, under itself, not under its child, -EAGAIN for an empty slot, -E2BIG past the end; for both helpers. */
    private static final List<Integer> KERNEL_ANSWERS = List.of(1, 1, 0, -11, -7, 1, 1, 0, -11, -7);

    @Test
    void bothHelpersAnswerUnderAncestorOrSelfNotUnderAChildEAGAINForAnEmptySlotAndE2BIGPastTheEndAsTheKernel() throws IOException {
        String own = KernelCgroups.own();
        Map<String, List<Integer>> all = new LinkedHashMap<>();
        List<String> engines = new ArrayList<>(List.of("interpreter", "native"));
        Path childDirectory = null;
        if (kernelPresent()) {
            childDirectory = KernelCgroups.mount().resolve(child(own).substring(1));
            Files.createDirectories(childDirectory);
            engines.add("kernel");
        }
        try {
            for (String engine : engines) {
                all.put(engine, answers(engine, own, "/", own, child(own)));
            }
        } finally {
            if (childDirectory != null) {
                Files.delete(childDirectory);
            }
        }
        for (String engine : engines) {
            assertEquals(KERNEL_ANSWERS, all.get(engine), engine + " " + all);
        }
    }

    @Test
    void aCgroupIsUnderItsAncestorsByWholeNamesOnly() {
        for (String engine : new String[] {"interpreter", "native"}) {
            assertEquals(List.of(1, 0, 0, 1, -7, 1, 0, 0, 1, -7), answers(engine, "/app/web", "/app", "/ap", "/app/web/worker", "/app/web/"), engine);
        }
    }

    @Test
    void theHostSetsSlotsByPathReadsThemBackAndEmptiesThemWithTheKernelsErrnos() {
        try (Context context = Context.newBuilder("bpf").build()) {
            Value cgroups = context.eval(object()).getMember("cgroups");
            cgroups.setArrayElement(1, "/system.slice/");
            assertEquals("/system.slice", cgroups.getArrayElement(1).asString());
            assertTrue(cgroups.getArrayElement(0).isNull());
            PolyglotException bad = assertThrows(PolyglotException.class, () -> cgroups.setArrayElement(2, "/a/../b"));
            assertEquals("update of cgroup_array map 'cgroups' at 2 refused: cgroup path '/a/../b' has an empty, . or .. name", bad.getMessage());
            cgroups.removeArrayElement(1);
            assertTrue(cgroups.getArrayElement(1).isNull());
            PolyglotException empty = assertThrows(PolyglotException.class, () -> cgroups.removeArrayElement(1));
            assertTrue(empty.getMessage().endsWith("failed: ENOENT"), empty.getMessage());
        }
    }

    /** BPF_MAP_CREATE on Linux 6.18 for cgroup arrays of (key size, value size, max_entries, flags). */
    private static final int[][] DEFINITIONS = {{4, 4, 4, 0}, {8, 4, 4, 0}, {4, 8, 4, 0}, {4, 4, 0, 0}, {4, 4, 4, 1}, {4, 4, 4, 0x80}, {4, 4, 4, 0x8}};
    private static final List<String> KERNEL_CREATE = List.of("ok", "EINVAL", "EINVAL", "EINVAL", "EINVAL", "EINVAL", "ok");

    @Test
    void createChecksMatchTheKernels() {
        List<String> ours = new ArrayList<>();
        List<String> kernel = new ArrayList<>();
        for (int[] d : DEFINITIONS) {
            MapDefinition definition = new MapDefinition("cgroups", MapType.CGROUP_ARRAY, d[0], d[1], d[2], d[3], null, Map.of(), false);
            ours.add(definition.problem() == null ? "ok" : "EINVAL");
            if (kernelPresent()) {
                String refusal = KernelMapCreation.refusal(definition);
                kernel.add(refusal == null ? "ok" : refusal);
            }
        }
        assertEquals(KERNEL_CREATE, ours);
        if (kernelPresent()) {
            assertEquals(KERNEL_CREATE, kernel, "the kernel today");
        }
    }

    @Test
    void theVerifierAllowsACgroupArrayOnlyInTheTwoHelpersAndSkbUnderCgroupOnlyInTcPrograms() {
        try (Context context = Context.newBuilder("bpf").build()) {
            PolyglotException lookup = assertThrows(PolyglotException.class, () -> context.eval(Source.newBuilder("bpf", """
                            .map cgroups cgroup_array key=4 value=4 entries=4
                            stw [%r10-4], 0
                            lddw %r1, map:cgroups
                            mov %r2, %r10
                            add %r2, -4
                            call map_lookup_elem
                            mov %r0, 0
                            exit
                            """, "lookup.s").mimeType(BpfRunner.ASM_MIME).build()));
            assertTrue(lookup.getMessage().contains("cannot pass map_type 8 into func bpf_map_lookup_elem#1"), lookup.getMessage());
        }
        try (Context context = Context.newBuilder("bpf").option("bpf.Context", "xdp").build()) {
            PolyglotException xdp = assertThrows(PolyglotException.class, () -> context.eval(Source.newBuilder("bpf", """
                            .map cgroups cgroup_array key=4 value=4 entries=4
                            lddw %r2, map:cgroups
                            mov %r3, 0
                            call skb_under_cgroup
                            exit
                            """, "xdp.s").mimeType(BpfRunner.ASM_MIME).build()));
            assertTrue(xdp.getMessage().contains("skb_under_cgroup"), xdp.getMessage());
            assertEquals(1, xdp.getMessage().lines().count(), xdp.getMessage());
        }
    }
}
