package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;
import org.trufflebpf.kernel.KernelMapCreation;
import org.trufflebpf.kernel.KernelStackTraces;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.runtime.maps.Errno;
import org.trufflebpf.runtime.maps.StackTraceMap;

/**
 * bpf_get_stackid and bpf_get_stack on both engines, over the model of the stack they share: the BPF call chain
 * at the call, instruction indexes innermost first (the helper call, then each bpf-to-bpf call above it). The
 * flags, skip counts, depth limits and errnos follow kernel/bpf/stackmap.c; a run has no user stack.
 */
class StackTraceMapTest {
    private static final String[] ENGINES = {"interpreter", "native"};
    private static final long SKIP_1 = 1;
    private static final long USER_STACK = 1 << 8;
    private static final long FAST_CMP = 1 << 9;
    private static final long REUSE = 1 << 10;
    private static final long USER_BUILD_ID = 1 << 11;

    /**
     * r0 = get_stackid(ctx, stacks, flags) with the flags in the input's first word, called from main (insn 5)
     * when the second word is 0, else from inner (insn 14) under outer's call (insn 9) under main's (insn 7).
     */
    private static final String STACKID = """
                    .map stacks stack_trace key=4 value=16 entries=4
                    ldxdw %r7, [%r1+8]
                    jne %r7, 0, deep
                    ldxdw %r3, [%r1]
                    lddw %r2, map:stacks
                    call get_stackid
                    exit
                    deep:
                    call local outer
                    exit
                    outer:
                    call local inner
                    exit
                    inner:
                    ldxdw %r3, [%r1]
                    lddw %r2, map:stacks
                    call get_stackid
                    exit
                    """;

    private static byte[] input(long flags, long deep) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0, flags).putLong(8, deep).array();
    }

    /** The ips a stack id holds, as the host reads them (the value's u64s, zeros after the stack cut off). */
    private static List<Long> ips(Value stacks, long id) {
        Value value = stacks.getHashValue((int) id);
        List<Long> ips = new ArrayList<>();
        for (int i = 0; i < value.getBufferSize() / 8; i++) {
            ips.add(value.readBufferLong(ByteOrder.LITTLE_ENDIAN, 8L * i));
        }
        return ips;
    }

    @Test
    void getStackidStoresTheCallChainInnermostFirstCutToTheValueSizeAfterTheSkippedFramesAndAnswersTheKernelsErrnos() {
        Map<String, Object> all = new LinkedHashMap<>();
        for (String engine : ENGINES) {
            List<String> results = new ArrayList<>();
            try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).build()) {
                Value program = BpfRunner.evalAsm(context, STACKID, "stackid.s");
                Value stacks = program.getMember("stacks");
                long[][] runs = {{0, 0}, {0, 1}, {SKIP_1, 1}, {2, 1}, {2 | REUSE, 1}, {0, 0}, {SKIP_1, 1}, {0, 1}, {3, 1}, {USER_STACK, 0}, {1 << 12, 0}};
                for (long[] run : runs) {
                    long id = program.execute((Object) input(run[0], run[1])).asLong();
                    results.add(id < 0 ? "errno " + -id : "id " + id + " " + ips(stacks, id));
                }
                results.add("stored " + stacks.getHashSize());
            }
            all.put(engine, results);
        }
        assertEquals(all.get("interpreter"), all.get("native"), all.toString());
        // The ids are the low 2 bits of the stacks' jhash2 (4 buckets): [7] falls in [9, 7]'s bucket, -EEXIST until
        // BPF_F_REUSE_STACKID replaces it, after which [9, 7] is the one refused.
        assertEquals(List.of("id 2 [5, 0]", "id 3 [14, 9]", "id 0 [9, 7]", "errno 17", "id 0 [7, 0]", "id 2 [5, 0]", "errno 17", "id 3 [14, 9]", "errno 14",
                        "errno 14", "errno 22", "stored 3"), all.get("interpreter"),
                        "the chain: the helper call first, then each call above it; two ips fit the value (zeros after a shorter one);"
                                        + " skipping all 3 frames -EFAULT; no user stack -EFAULT; an unknown flag -EINVAL; the same stack again the same id");
    }

    /** The deep call's stack as a new interpreter context on this thread stores it. */
    private static List<Long> interpreterDeepStack() {
        try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", "interpreter").build()) {
            Value program = BpfRunner.evalAsm(context, STACKID, "stackid.s");
            long id = program.execute((Object) input(0, 1)).asLong();
            return ips(program.getMember("stacks"), id);
        }
    }

    @Test
    void anInterpreterRunAfterANativeRunOnTheSameThreadReadsItsOwnCallChainNotTheNativeRunsStack() {
        // Runs of one thread share a pooled run state: what the native run installed to walk its machine stack
        // must not outlive it.
        List<Long> fresh = interpreterDeepStack();
        try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", "native").build()) {
            Value program = BpfRunner.evalAsm(context, STACKID, "stackid.s");
            assertTrue(program.execute((Object) input(0, 1)).asLong() >= 0);
        }
        assertEquals(fresh, interpreterDeepStack());
        assertEquals(List.of(14L, 9L), fresh);
    }

    /**
     * get_stack(ctx, r10-32, size, flags) with the flags and size in the input, called in sub (insn 10) under
     * mid's call (insn 2) under main's (insn 0); r0 packs its result (high 32 bits) and the buffer's first two
     * u64s (16 bits each).
     */
    private static final String GET_STACK = """
                    call local mid
                    exit
                    mid:
                    call local sub
                    exit
                    sub:
                    mov %r6, %r1
                    ldxdw %r4, [%r6]
                    ldxdw %r3, [%r6+8]
                    and %r3, 31
                    mov %r2, %r10
                    add %r2, -32
                    call get_stack
                    lsh %r0, 32
                    ldxdw %r1, [%r10-32]
                    lsh %r1, 16
                    or %r0, %r1
                    ldxdw %r1, [%r10-24]
                    or %r0, %r1
                    exit
                    """;

    @Test
    void getStackCopiesTheChainAfterTheSkippedFramesZeroesTheRestAndAnswersTheKernelsErrnosWithAZeroedBuffer() {
        long[][] runs = {{0, 16}, {0, 8}, {SKIP_1, 16}, {2, 16}, {3, 16}, {4, 16}, {USER_STACK, 16}, {0, 12}, {USER_BUILD_ID, 16},
            {USER_STACK | USER_BUILD_ID, 16}, {USER_STACK | USER_BUILD_ID, 0}, {FAST_CMP, 16}, {0, 0}};
        Map<String, List<String>> all = new LinkedHashMap<>();
        for (String engine : ENGINES) {
            List<String> results = new ArrayList<>();
            try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).build()) {
                Value program = BpfRunner.evalAsm(context, GET_STACK, "get_stack.s");
                for (long[] run : runs) {
                    long r0 = program.execute((Object) input(run[0], run[1])).asLong();
                    results.add((r0 >> 32) + " [" + ((r0 >>> 16) & 0xffff) + ", " + (r0 & 0xffff) + "]");
                }
            }
            all.put(engine, results);
        }
        assertEquals(all.get("interpreter"), all.get("native"), all.toString());
        assertEquals(List.of("16 [10, 2]", "8 [10, 0]", "16 [2, 0]", "8 [0, 0]", "0 [0, 0]", "-14 [0, 0]", "0 [0, 0]", "-22 [0, 0]", "-22 [0, 0]",
                        "-22 [0, 0]", "0 [0, 0]", "-22 [0, 0]", "0 [0, 0]"), all.get("interpreter"),
                        "bytes copied; the skip drops the innermost frames, skipping exactly all of them copies nothing, more -EFAULT; the user stack is"
                                        + " empty; a size not a multiple of the entry, build ids of the kernel stack, or get_stackid's flags -EINVAL");
    }

    /**
     * Stacks the kernel stored (Linux 6.18, a raw tracepoint's bpf_get_stackid run by BPF_PROG_TEST_RUN, 65536
     * buckets of 8 ips, skip 0 to 3 and BPF_F_USER_STACK) with the ids it answered: the id is the low 16 bits of
     * the jhash2 of the ips, so these check our hash bit for bit.
     */
    private static final long[][] KERNEL_STACKS = {
        {19871, -1073602259, -2114955222, -2114947177, -2125611679, -2125602355, -2111910831, -2130706128},
        {57152, -2114955222, -2114947177, -2125611679, -2125602355, -2111910831, -2130706128},
        {46352, -2114947177, -2125611679, -2125602355, -2111910831, -2130706128},
        {51820, -2125611679, -2125602355, -2111910831, -2130706128},
        {52825, 140097491765289L, 140097061389596L, 140097061389596L, 140097061389596L, 140097061389596L, 140097061389596L, 140097061389596L, 140097061389596L},
    };

    private static boolean kernelPresent() {
        return KernelStackTraces.unavailableReason() == null && !"1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL"));
    }

    @Test
    void theStackIdIsTheKernelsJhash2OfTheIpsMaskedToTheBucketsForRecordedAndLiveKernelStacks() {
        List<long[]> stacks = new ArrayList<>(List.of(KERNEL_STACKS));
        if (kernelPresent()) {
            for (KernelStackTraces.Sample sample : KernelStackTraces.sample(1 << 16, 8, new long[] {0, SKIP_1, 2, 3, USER_STACK})) {
                long[] row = new long[sample.ips().length + 1];
                row[0] = sample.id();
                System.arraycopy(sample.ips(), 0, row, 1, sample.ips().length);
                stacks.add(row);
            }
        }
        for (long[] row : stacks) {
            long[] ips = Arrays.copyOfRange(row, 1, row.length);
            assertEquals(row[0], StackTraceMap.jhash2(ips) & 0xffff, Arrays.toString(row));
        }
    }

    /** The kernel's BPF_MAP_CREATE answers for these stack trace maps (key size, value size, max_entries, flags), on Linux 6.18. */
    private static final int[][] DEFINITIONS = {{4, 16, 4, 0}, {8, 16, 4, 0}, {4, 12, 4, 0}, {4, 0, 4, 0}, {4, 127 * 8, 4, 0}, {4, 128 * 8, 4, 0},
        {4, 16, 0, 0}, {4, 16, 4, 1}, {4, 16, 4, 0x20}, {4, 32, 4, 0x20}, {4, 16, 4, 0x8}};
    private static final List<String> KERNEL_CREATE = List.of("ok", "EINVAL", "EINVAL", "EINVAL", "ok", "EINVAL", "EINVAL", "EINVAL", "EINVAL", "ok", "ok");
    /** Lookup and delete of id 0, delete past the 4 buckets of 3 entries, update of id 0, on an empty map: Linux 6.18. */
    private static final List<String> KERNEL_HOST = List.of("ENOENT", "ENOENT", "E2BIG", "EINVAL");

    @Test
    void createChecksAndHostCommandsOnAnEmptyMapMatchTheKernelsExceptBuildIdsWhichAreRefusedByName() {
        List<String> ours = new ArrayList<>();
        List<String> kernel = new ArrayList<>();
        for (int[] d : DEFINITIONS) {
            MapDefinition definition = new MapDefinition("stacks", MapType.STACK_TRACE, d[0], d[1], d[2], d[3], null, Map.of(), false);
            String problem = definition.problem();
            ours.add(problem == null ? "ok" : problem.startsWith("BPF_F_STACK_BUILD_ID is not supported") ? "ok" : "EINVAL");
            if (kernelPresent()) {
                String refusal = KernelMapCreation.refusal(definition);
                kernel.add(refusal == null ? "ok" : refusal);
            }
        }
        assertEquals(KERNEL_CREATE, ours, "ours, where a build-id map (the kernel creates it) is refused by name");
        assertTrue(new MapDefinition("s", MapType.STACK_TRACE, 4, 32, 4, 0x20, null, Map.of(), false).problem().startsWith("BPF_F_STACK_BUILD_ID is not supported"));
        StackTraceMap empty = new StackTraceMap(MapDefinition.of("stacks", MapType.STACK_TRACE, 4, 16, 3));
        byte[] zero = new byte[4];
        List<String> host = List.of(empty.get(zero) == null ? "ENOENT" : "ok", Errno.name(empty.delete(zero)), Errno.name(empty.delete(new byte[] {4, 0, 0, 0})),
                        Errno.name(empty.put(zero, new byte[16], 0)));
        assertEquals(KERNEL_HOST, host);
        if (kernelPresent()) {
            assertEquals(KERNEL_CREATE, kernel, "the kernel today");
            assertEquals(KERNEL_HOST, KernelStackTraces.hostAnswersOnAnEmptyMap(3, 4), "the kernel today");
        }
    }

    private static String verifierRefusal(String asm) {
        try (Context context = BpfRunner.contextBuilder().build()) {
            PolyglotException e = assertThrows(PolyglotException.class, () -> BpfRunner.evalAsm(context, asm, "refused.s"));
            return e.getMessage();
        }
    }

    @Test
    void theVerifierAllowsAStackTraceMapOnlyInGetStackidAndGetStackidOnlyOnOneAndOnlyInTracingPrograms() {
        String lookup = verifierRefusal("""
                        .map stacks stack_trace key=4 value=16 entries=4
                        stw [%r10-4], 0
                        lddw %r1, map:stacks
                        mov %r2, %r10
                        add %r2, -4
                        call map_lookup_elem
                        mov %r0, 0
                        exit
                        """);
        assertTrue(lookup.contains("cannot pass map_type 7 into func bpf_map_lookup_elem#1"), lookup);
        String array = verifierRefusal("""
                        .map counts array key=4 value=8 entries=4
                        lddw %r2, map:counts
                        mov %r3, 0
                        call get_stackid
                        exit
                        """);
        assertTrue(array.contains("cannot pass map_type 2 into func bpf_get_stackid#27"), array);
        String xdp;
        try (Context context = BpfRunner.contextBuilder().option("bpf.Context", "xdp").build()) {
            xdp = assertThrows(PolyglotException.class, () -> BpfRunner.evalAsm(context, """
                            .map stacks stack_trace key=4 value=16 entries=4
                            lddw %r2, map:stacks
                            mov %r3, 0
                            call get_stackid
                            exit
                            """, "xdp.s")).getMessage();
        }
        assertTrue(xdp.contains("get_stackid"), xdp);
        assertEquals(1, xdp.lines().count(), xdp);
    }

    /** entry (insn 0) calls sub, which tail calls leaf; leaf (insn 0) calls inner, whose get_stackid is insn 5. */
    private static final String THROUGH_A_TAIL_CALL = """
                    .map stacks stack_trace key=4 value=32 entries=8
                    .map jmp_table prog_array key=4 value=4 entries=1
                    .slot jmp_table 0 leaf
                    .program entry raw
                        call local sub
                        exit
                    sub:
                        lddw %r2, map:jmp_table
                        mov %r3, 0
                        call tail_call
                        mov %r0, -1
                        exit
                    .program leaf raw
                        call local inner
                        exit
                    inner:
                        lddw %r2, map:stacks
                        mov %r3, 0
                        call get_stackid
                        exit
                    """;

    @Test
    void aTailCallTakesTheChainPlaceOfTheFunctionItReplacesOnBothEngines() {
        Map<String, List<Long>> all = new LinkedHashMap<>();
        for (String engine : ENGINES) {
            try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).build()) {
                Value module = BpfRunner.evalAsm(context, THROUGH_A_TAIL_CALL, "tail.s");
                long id = module.getMember("entry").execute((Object) new byte[16]).asLong();
                all.put(engine, ips(module.getMember("stacks"), id));
            }
        }
        assertEquals(List.of(5L, 0L, 0L, 0L), all.get("interpreter"), all.toString());
        assertEquals(all.get("interpreter"), all.get("native"));
    }

    /**
     * get_stackid, then get_stack, reached through callx (the helper's id in r5) in inner (insns 9 and 17) under
     * outer's call (insn 2) under main's (insn 0). The program runs unverified: the chain must not depend on the
     * verifier having resolved the id. r0 packs get_stack's first two ips above the stack id (16 bits each).
     */
    private static final String THROUGH_CALLX = """
                    .map stacks stack_trace key=4 value=24 entries=4
                    call local outer
                    exit
                    outer:
                    call local inner
                    exit
                    inner:
                    mov %r6, %r1
                    lddw %r2, map:stacks
                    mov %r3, 0
                    mov %r5, helper:get_stackid
                    call %r5
                    mov %r7, %r0
                    mov %r1, %r6
                    mov %r2, %r10
                    add %r2, -16
                    mov %r3, 16
                    mov %r4, 0
                    mov %r5, helper:get_stack
                    call %r5
                    ldxdw %r0, [%r10-16]
                    lsh %r0, 16
                    ldxdw %r1, [%r10-8]
                    or %r0, %r1
                    lsh %r0, 16
                    or %r0, %r7
                    exit
                    """;

    @Test
    void callxToGetStackidAndGetStackSeesTheSameCallChainAsADirectCallOnBothEngines() {
        Map<String, List<Long>> all = new LinkedHashMap<>();
        for (String engine : ENGINES) {
            try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).option("bpf.Verify", "false").build()) {
                Value module = BpfRunner.evalAsm(context, THROUGH_CALLX, "callx.s");
                long r0 = module.execute((Object) new byte[16]).asLong();
                long id = r0 & 0xffff;
                List<Long> seen = new ArrayList<>(ips(module.getMember("stacks"), id));
                seen.add((r0 >>> 32) & 0xffff);
                seen.add((r0 >>> 16) & 0xffff);
                all.put(engine, seen);
            }
        }
        assertEquals(List.of(9L, 2L, 0L, 17L, 2L), all.get("interpreter"), "get_stackid's three ips, then get_stack's two: " + all);
        assertEquals(all.get("interpreter"), all.get("native"));
    }
}
