package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.BiFunction;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/**
 * The tail-call tests of spec/tailcall-tests.md (ported from the kernel's selftests, test_verifier and
 * test_bpf), written in assembly and run on the Truffle interpreter through the Polyglot API. Programs run as
 * tc classifiers over a 54-byte IPv4/TCP packet, so {@code skb->len == 54}.
 */
class TailCallTest {
    static final byte[] PACKET = packet();

    private static byte[] packet() {
        byte[] p = new byte[54];
        p[12] = 0x08; // EtherType IPv4
        p[14] = 0x45; // IPv4, header length 5
        p[23] = 6; // TCP
        return p;
    }

    static Context context(String abi) {
        return BpfRunner.contextBuilder().option("bpf.TailCallAbi", abi).build();
    }

    static long run(Value module, String program) {
        return module.getMember(program).execute(PACKET).asLong();
    }

    static long global(Value module, String map) {
        return module.getMember(map).getArrayElement(0).asLong();
    }

    /** A program NAME that returns VALUE. */
    static String returns(String name, int value) {
        return ".program " + name + " tc\nmov %r0, " + value + "\nexit\n";
    }

    /** Tail call through MAP with constant KEY (r1 must still be the context). */
    static String tailCall(String map, long key) {
        return "lddw %r2, map:" + map + "\nlddw %r3, " + key + "\ncall tail_call\n";
    }

    /** Another tail call after one that fell through: calls clobber r1, so the context comes back from r6. */
    static String tailCallAgain(String map, long key) {
        return "mov %r1, %r6\n" + tailCall(map, key);
    }

    /** Increments the 8-byte global in array MAP; clobbers r2 and r3. */
    static String increment(String map) {
        return "lddw %r2, map_value:" + map + "+0\nldxdw %r3, [%r2]\nadd %r3, 1\nstxdw [%r2], %r3\n";
    }

    // --- test_verifier runtime_jit ---

    private static String runtimeJit(String entries) {
        return """
                        .map jmp1 prog_array key=4 value=4 entries=4
                        .map jmp2 prog_array key=4 value=4 entries=8
                        .slot jmp1 0 ret42
                        .slot jmp1 1 loop41
                        .slot jmp1 2 ret24
                        """ + returns("ret42", 42) + returns("ret24", 24) + ".program loop41 tc\n" + tailCall("jmp1", 1)
                        + "mov %r0, 41\nexit\n" + entries;
    }

    private static String keyed(String name, long key, int fallThrough) {
        return ".program " + name + " tc\n" + tailCall("jmp1", key) + "mov %r0, " + fallThrough + "\nexit\n";
    }

    @Test
    void runtimeJitKeysGiveTheKernelsResults() {
        String source = runtimeJit(keyed("k0", 0, 1) + keyed("k1", 1, 1) + keyed("k3", 3, 1) + keyed("k2", 2, 1) + keyed("k256", 256, 2) + keyed("kminus1", -1, 2)
                        + keyed("kwide", 0x1_0000_0000L, 2) + """
                                        .program perbranch tc
                                        ldxw %r4, [%r1+0x30]
                                        lddw %r2, map:jmp2
                                        jeq %r4, 0, go
                                        lddw %r2, map:jmp1
                                        go:
                                        mov %r3, 0
                                        call tail_call
                                        mov %r0, 1
                                        exit
                                        """);
        try (Context context = context("counter-by-value")) {
            Value module = BpfRunner.evalAsm(context, source, "runtime_jit.s");
            assertEquals(42, run(module, "k0"));
            assertEquals(41, run(module, "k1"), "slot 1 tail calls itself until the limit, then returns 41");
            assertEquals(1, run(module, "k3"), "empty slot falls through");
            assertEquals(24, run(module, "k2"));
            assertEquals(2, run(module, "k256"), "out of range falls through");
            assertEquals(2, run(module, "kminus1"), "-1 is 0xffffffff as a u32: out of range");
            assertEquals(42, run(module, "kwide"), "the key is truncated to u32: 0x1_0000_0000 is slot 0");
            // cb[0] (offset 0x30) is 0 in our packets, so the branch picks array 2 whose slot 0 is empty.
            assertEquals(1, run(module, "perbranch"));
        }
    }

    // --- selftests tailcall_1 .. tailcall_6 ---

    @Test
    void tailcall1PatchesEverySiteAndFollowsSlotChanges() {
        StringBuilder source = new StringBuilder(".map jmp_table prog_array key=4 value=4 entries=3\n");
        for (int i = 0; i < 3; i++) {
            source.append(returns("classifier_" + i, i));
        }
        source.append(".program entry tc\nmov %r6, %r1\n");
        for (int key = 0; key < 3; key++) {
            for (int times = 0; times < 4; times++) {
                source.append(tailCallAgain("jmp_table", key));
            }
        }
        source.append("mov %r0, 3\nexit\n");
        try (Context context = context("counter-by-value")) {
            Value module = BpfRunner.evalAsm(context, source.toString(), "tailcall1.s");
            Value table = module.getMember("jmp_table");
            for (int i = 0; i < 3; i++) {
                table.setArrayElement(i, module.getMember("classifier_" + i));
            }
            assertEquals(0, run(module, "entry"));
            for (int i = 0; i < 3; i++) {
                assertTrue(table.removeArrayElement(i));
                assertEquals(i + 1, run(module, "entry"));
            }
            for (int i = 0; i < 3; i++) {
                table.setArrayElement(i, module.getMember("classifier_" + i));
            }
            assertEquals(0, run(module, "entry"));
            for (int i = 0; i < 3; i++) {
                table.setArrayElement(i, module.getMember("classifier_" + (2 - i)));
            }
            assertEquals(2, run(module, "entry"));
            for (int i = 0; i < 3; i++) {
                table.removeArrayElement(i);
                assertEquals(i == 2 ? 3 : 1 - i, run(module, "entry"));
            }
            assertThrows(Exception.class, () -> table.removeArrayElement(0), "deleting an empty slot fails (ENOENT)");
            assertEquals(3, run(module, "entry"));
        }
    }

    @Test
    void tailcall2StopsAfter33TailCalls() {
        String source = ".map jmp_table prog_array key=4 value=4 entries=5\n.slot jmp_table 0 classifier_0\n.slot jmp_table 1 classifier_1\n"
                        + ".slot jmp_table 2 classifier_2\n.slot jmp_table 3 classifier_3\n.slot jmp_table 4 classifier_4\n"
                        + ".program classifier_0 tc\n" + tailCall("jmp_table", 1) + "mov %r0, 0\nexit\n"
                        + ".program classifier_1 tc\n" + tailCall("jmp_table", 2) + "mov %r0, 1\nexit\n"
                        + returns("classifier_2", 2)
                        + ".program classifier_3 tc\n" + tailCall("jmp_table", 4) + "mov %r0, 3\nexit\n"
                        + ".program classifier_4 tc\n" + tailCall("jmp_table", 3) + "mov %r0, 4\nexit\n"
                        + ".program entry tc\nmov %r6, %r1\n" + tailCallAgain("jmp_table", 0) + tailCallAgain("jmp_table", 2) + tailCallAgain("jmp_table", 3)
                        + "mov %r0, 3\nexit\n";
        try (Context context = context("counter-by-value")) {
            Value module = BpfRunner.evalAsm(context, source, "tailcall2.s");
            Value table = module.getMember("jmp_table");
            assertEquals(2, run(module, "entry"));
            table.removeArrayElement(2);
            assertEquals(1, run(module, "entry"));
            table.removeArrayElement(0);
            assertEquals(3, run(module, "entry"), "3 and 4 ping-pong until 33 tail calls happened");
        }
    }

    private static String selfCounting(boolean keyFromGlobal) {
        String key = keyFromGlobal ? "lddw %r3, map_value:selector+0\nldxw %r3, [%r3]\nlddw %r2, map:jmp_table\ncall tail_call\n" : tailCall("jmp_table", 0);
        return ".map jmp_table prog_array key=4 value=4 entries=1\n.map count array key=4 value=8 entries=1\n.map selector array key=4 value=4 entries=1\n"
                        + ".slot jmp_table 0 classifier_0\n.program classifier_0 tc\n" + increment("count") + key + "mov %r0, 1\nexit\n"
                        + ".program entry tc\n" + key + "mov %r0, 0\nexit\n";
    }

    @Test
    void tailcall3CountsThirtyThreeCalls() {
        try (Context context = context("counter-by-value")) {
            Value module = BpfRunner.evalAsm(context, selfCounting(false), "tailcall3.s");
            assertEquals(1, run(module, "entry"));
            assertEquals(33, global(module, "count"));
            module.getMember("jmp_table").removeArrayElement(0);
            assertEquals(0, run(module, "entry"));
        }
    }

    @Test
    void tailcall6CountsThirtyThreeCallsWithKeyFromGlobal() {
        try (Context context = context("counter-by-value")) {
            Value module = BpfRunner.evalAsm(context, selfCounting(true), "tailcall6.s");
            assertEquals(1, run(module, "entry"));
            assertEquals(33, global(module, "count"));
            module.getMember("jmp_table").removeArrayElement(0);
            assertEquals(0, run(module, "entry"));
        }
    }

    private static String selectorPrograms(String entryBody) {
        StringBuilder source = new StringBuilder(".map jmp_table prog_array key=4 value=4 entries=3\n.map selector array key=4 value=4 entries=1\n");
        for (int i = 0; i < 3; i++) {
            source.append(".slot jmp_table ").append(i).append(" classifier_").append(i).append('\n').append(returns("classifier_" + i, i));
        }
        return source + ".program entry tc\n" + entryBody + "mov %r0, 3\nexit\n";
    }

    @Test
    void tailcall4KeyFromGlobalSelector() {
        String entry = "lddw %r3, map_value:selector+0\nldxw %r3, [%r3]\nlddw %r2, map:jmp_table\ncall tail_call\n";
        try (Context context = context("counter-by-value")) {
            Value module = BpfRunner.evalAsm(context, selectorPrograms(entry), "tailcall4.s");
            Value table = module.getMember("jmp_table");
            for (int i = 0; i < 3; i++) {
                module.getMember("selector").setArrayElement(0, i);
                assertEquals(i, run(module, "entry"));
            }
            for (int i = 0; i < 3; i++) {
                module.getMember("selector").setArrayElement(0, i);
                table.removeArrayElement(i);
                assertEquals(3, run(module, "entry"));
            }
        }
    }

    @Test
    void tailcall5KeyPerBranch() {
        String entry = """
                        lddw %r4, map_value:selector+0
                        ldxw %r4, [%r4]
                        mov %r3, 0
                        jne %r4, 1234, not1
                        mov %r3, 1
                        not1:
                        jne %r4, 5678, not2
                        mov %r3, 2
                        not2:
                        lddw %r2, map:jmp_table
                        call tail_call
                        """;
        int[] selectors = {1111, 1234, 5678};
        try (Context context = context("counter-by-value")) {
            Value module = BpfRunner.evalAsm(context, selectorPrograms(entry), "tailcall5.s");
            for (int i = 0; i < 3; i++) {
                module.getMember("selector").setArrayElement(0, selectors[i]);
                assertEquals(i, run(module, "entry"));
            }
            for (int i = 0; i < 3; i++) {
                module.getMember("selector").setArrayElement(0, selectors[i]);
                module.getMember("jmp_table").removeArrayElement(i);
                assertEquals(3, run(module, "entry"));
            }
        }
    }

    // --- selftests tailcall_bpf2bpf_1 .. 6 ---

    @Test
    void bpf2bpf1TailCallFromSubprogram() {
        String source = ".map jmp_table prog_array key=4 value=4 entries=2\n.slot jmp_table 0 classifier_0\n.slot jmp_table 1 classifier_1\n"
                        + returns("classifier_0", 0) + returns("classifier_1", 1) + ".program entry tc\nmov %r6, %r1\n" + tailCall("jmp_table", 1)
                        + "mov %r1, %r6\ncall local subprog_tail\nexit\nsubprog_tail:\nmov %r6, %r1\n" + tailCall("jmp_table", 0)
                        + "ldxw %r0, [%r6+0]\nlsh %r0, 1\nexit\n";
        try (Context context = context("counter-by-value")) {
            Value module = BpfRunner.evalAsm(context, source, "bpf2bpf1.s");
            assertEquals(1, run(module, "entry"));
            module.getMember("jmp_table").removeArrayElement(1);
            assertEquals(0, run(module, "entry"));
            module.getMember("jmp_table").removeArrayElement(0);
            assertEquals(108, run(module, "entry"));
        }
    }

    @Test
    void bpf2bpf2CountsThroughSubprogram() {
        String source = ".map jmp_table prog_array key=4 value=4 entries=1\n.map count array key=4 value=8 entries=1\n.slot jmp_table 0 classifier_0\n"
                        + ".program classifier_0 tc\n" + increment("count") + "call local subprog_tail\nexit\nsubprog_tail:\n" + tailCall("jmp_table", 0)
                        + "mov %r0, 1\nexit\n" + ".program entry tc\n" + tailCall("jmp_table", 0) + "mov %r0, 0\nexit\n";
        try (Context context = context("counter-by-value")) {
            Value module = BpfRunner.evalAsm(context, source, "bpf2bpf2.s");
            assertEquals(1, run(module, "entry"));
            assertEquals(33, global(module, "count"));
            module.getMember("jmp_table").removeArrayElement(0);
            assertEquals(0, run(module, "entry"));
        }
    }

    @Test
    void bpf2bpf3FramesOfDifferentSizes() {
        String big = "mov %r7, 0\nstxdw [%r10-128], %r7\n";
        String small = "mov %r7, 0\nstxdw [%r10-64], %r7\n";
        String source = ".map jmp_table prog_array key=4 value=4 entries=2\n.slot jmp_table 0 classifier_0\n.slot jmp_table 1 classifier_1\n"
                        + ".program classifier_1 tc\n" + big + "ldxw %r0, [%r1+0]\nmul %r0, 3\nexit\n"
                        + ".program classifier_0 tc\n" + big + "call local subprog_tail2\nexit\nsubprog_tail2:\n" + small + "mov %r6, %r1\n"
                        + tailCall("jmp_table", 1) + "ldxw %r0, [%r6+0]\nexit\n"
                        + ".program entry tc\n" + big + "call local subprog_tail\nexit\nsubprog_tail:\n" + small + "mov %r6, %r1\n" + tailCall("jmp_table", 0)
                        + "ldxw %r0, [%r6+0]\nlsh %r0, 1\nexit\n";
        try (Context context = context("counter-by-value")) {
            Value module = BpfRunner.evalAsm(context, source, "bpf2bpf3.s");
            assertEquals(162, run(module, "entry"));
            module.getMember("jmp_table").removeArrayElement(1);
            assertEquals(54, run(module, "entry"));
            module.getMember("jmp_table").removeArrayElement(0);
            assertEquals(108, run(module, "entry"));
        }
    }

    @Test
    void bpf2bpf4CounterTravelsThroughSubprograms() {
        BiFunction<Long, Integer, String> sub = (key, factor) -> "mov %r6, %r1\n" + tailCall("jmp_table", key)
                        + "ldxw %r0, [%r6+0]\nmul %r0, " + factor + "\nexit\n";
        String source = ".map jmp_table prog_array key=4 value=4 entries=3\n.map count array key=4 value=8 entries=1\n"
                        + ".slot jmp_table 0 classifier_0\n.slot jmp_table 1 classifier_1\n.slot jmp_table 2 classifier_2\n"
                        + ".program classifier_1 tc\ncall local sub2\nexit\nsub2:\n" + sub.apply(2L, 3)
                        + ".program classifier_2 tc\n" + increment("count") + "call local sub2b\nexit\nsub2b:\n" + sub.apply(2L, 3)
                        + ".program classifier_0 tc\ncall local sub1\nexit\nsub1:\n" + sub.apply(1L, 2)
                        + ".program entry tc\ncall local sub0\nexit\nsub0:\n" + sub.apply(0L, 1);
        try (Context context = context("counter-by-value")) {
            Value module = BpfRunner.evalAsm(context, source, "bpf2bpf4.s");
            assertEquals(162, run(module, "entry"));
            assertEquals(31, global(module, "count"), "the counter travels through the subprogram calls");
        }
    }

    @Test
    void bpf2bpf6OneByteStackCallerOfTailCallingSubprogram() {
        String source = ".map jmp_table prog_array key=4 value=4 entries=1\n.map done array key=4 value=8 entries=1\n.slot jmp_table 0 classifier_0\n"
                        + ".program classifier_0 tc\nlddw %r2, map_value:done+0\nmov %r3, 1\nstxdw [%r2], %r3\nmov %r0, 0\nexit\n"
                        + ".program entry tc\nmov %r2, 0\nstxb [%r10-1], %r2\ncall local subprog\nldxb %r2, [%r10-1]\nadd %r0, %r2\nexit\n"
                        + "subprog:\n" + tailCall("jmp_table", 0) + "mov %r0, 1\nexit\n";
        try (Context context = context("counter-by-value")) {
            Value module = BpfRunner.evalAsm(context, source, "bpf2bpf6.s");
            assertEquals(0, run(module, "entry"));
            assertEquals(1, global(module, "done"));
        }
    }

    // --- tailcall hierarchy ---

    private static final String HIERARCHY_1 = ".map jmp_table prog_array key=4 value=4 entries=1\n.map count array key=4 value=8 entries=1\n"
                    + ".slot jmp_table 0 entry\n.program entry tc\nmov %r6, %r1\n" + increment("count")
                    + "mov %r1, %r6\ncall local subprog_tail\nmov %r1, %r6\ncall local subprog_tail\nmov %r0, 1\nexit\n"
                    + "subprog_tail:\n" + tailCall("jmp_table", 0) + "mov %r0, 0\nexit\n";

    @Test
    void hierarchy1SharedCounterStopsAt34() {
        try (Context context = context("shared")) {
            Value module = BpfRunner.evalAsm(context, HIERARCHY_1, "hierarchy1.s");
            assertEquals(1, run(module, "entry"));
            assertEquals(34, global(module, "count"));
            module.getMember("jmp_table").removeArrayElement(0);
            assertEquals(1, run(module, "entry"));
            assertEquals(35, global(module, "count"));
        }
    }

    @Test
    void hierarchy1ByValueCounterIsStoppedByTheBudget() {
        try (Context context = BpfRunner.contextBuilder().option("bpf.InstructionLimit", "2000000").build()) {
            Value module = BpfRunner.evalAsm(context, HIERARCHY_1, "hierarchy1.s");
            PolyglotException e = assertThrows(PolyglotException.class, () -> run(module, "entry"));
            assertTrue(e.isGuestException(), e::getMessage);
            assertTrue(e.getMessage().contains("execution budget of 2000000 instructions exhausted"), e::getMessage);
            assertTrue(global(module, "count") > 34, "far more tail calls than the shared ABI allows happened");
        }
    }

    @Test
    void hierarchy2SharedCounter() {
        String source = ".map jmp_table prog_array key=4 value=4 entries=2\n.map count0 array key=4 value=8 entries=1\n.map count1 array key=4 value=8 entries=1\n"
                        + ".slot jmp_table 0 classifier_0\n.slot jmp_table 1 classifier_1\n"
                        + ".program classifier_0 tc\n" + increment("count0") + "call local tail0\nmov %r0, 0\nexit\ntail0:\n" + tailCall("jmp_table", 0) + "mov %r0, 0\nexit\n"
                        + ".program classifier_1 tc\n" + increment("count1") + "call local tail1\nmov %r0, 0\nexit\ntail1:\n" + tailCall("jmp_table", 1) + "mov %r0, 0\nexit\n"
                        + ".program main tc\nmov %r6, %r1\ncall local m0\nmov %r1, %r6\ncall local m1\n"
                        + "lddw %r1, map_value:count1+0\nldxdw %r0, [%r1]\nlsh %r0, 16\nlddw %r1, map_value:count0+0\nldxdw %r1, [%r1]\nor %r0, %r1\nexit\n"
                        + "m0:\n" + tailCall("jmp_table", 0) + "mov %r0, 0\nexit\nm1:\n" + tailCall("jmp_table", 1) + "mov %r0, 0\nexit\n";
        try (Context context = context("shared")) {
            Value module = BpfRunner.evalAsm(context, source, "hierarchy2.s");
            assertEquals(33, run(module, "main"));
        }
    }

    @Test
    void hierarchy3SharedCounterThroughTwoMaps() {
        String source = ".map jmp_table0 prog_array key=4 value=4 entries=1\n.map jmp_table1 prog_array key=4 value=4 entries=1\n.map count array key=4 value=8 entries=1\n"
                        + ".slot jmp_table0 0 classifier_0\n.slot jmp_table1 0 classifier_0\n"
                        + ".program classifier_0 tc\nmov %r6, %r1\n" + increment("count")
                        + "lddw %r2, map:jmp_table0\nmov %r1, %r6\ncall local sub\nlddw %r2, map:jmp_table1\nmov %r1, %r6\ncall local sub\n"
                        + "lddw %r1, map_value:count+0\nldxdw %r0, [%r1]\nexit\nsub:\nmov %r3, 0\ncall tail_call\nmov %r0, 0\nexit\n"
                        + ".program main tc\n" + tailCall("jmp_table0", 0) + "mov %r0, 0\nexit\n";
        try (Context context = context("shared")) {
            Value module = BpfRunner.evalAsm(context, source, "hierarchy3.s");
            assertEquals(33, run(module, "main"));
        }
    }

    // --- lib/test_bpf.c tail_call_tests (raw context: r1 = 0; each runs 1000 times) ---

    private static final String TEST_BPF = """
                    .map table prog_array key=4 value=4 entries=10
                    .map state array key=4 value=8 entries=1
                    .slot table 0 leaf
                    .slot table 1 tc2
                    .slot table 2 tc3
                    .slot table 3 tc4
                    .slot table 4 ldst_leaf
                    .slot table 5 ldst_tc
                    .slot table 6 max_count
                    .slot table 7 helper_count
                    .program leaf
                    mov %r0, %r1
                    add %r0, 1
                    exit
                    .program tc2
                    add %r1, 2
                    lddw %r2, map:table
                    mov %r3, 0
                    call tail_call
                    mov %r0, -1
                    exit
                    .program tc3
                    add %r1, 3
                    lddw %r2, map:table
                    mov %r3, 1
                    call tail_call
                    mov %r0, -1
                    exit
                    .program tc4
                    add %r1, 4
                    lddw %r2, map:table
                    mov %r3, 2
                    call tail_call
                    mov %r0, -1
                    exit
                    .program ldst_leaf
                    stdw [%r10-32], 0
                    ldxdw %r0, [%r10-32]
                    exit
                    .program ldst_tc
                    stdw [%r10-16], 0
                    ldxdw %r1, [%r10-16]
                    lddw %r2, map:table
                    mov %r3, 4
                    call tail_call
                    mov %r0, -1
                    exit
                    .program max_count
                    lddw %r2, map_value:state+0
                    ldxdw %r3, [%r2]
                    add %r3, 1
                    stxdw [%r2], %r3
                    lddw %r2, map:table
                    mov %r3, 6
                    call tail_call
                    mov %r0, 0
                    exit
                    .program helper_count
                    stxdw [%r10-8], %r1
                    call get_prandom_u32
                    ldxdw %r1, [%r10-8]
                    lddw %r2, map_value:state+0
                    ldxdw %r3, [%r2]
                    add %r3, 1
                    stxdw [%r2], %r3
                    lddw %r2, map:table
                    mov %r3, 7
                    call tail_call
                    mov %r0, 0
                    exit
                    .program empty_slot
                    lddw %r2, map:table
                    mov %r3, 9
                    call tail_call
                    mov %r0, 1
                    exit
                    .program out_of_range
                    lddw %r2, map:table
                    mov %r3, 10
                    call tail_call
                    mov %r0, 1
                    exit
                    """;

    private static long sum1000(Value module, String program) {
        long total = 0;
        for (int i = 0; i < 1000; i++) {
            total += module.getMember(program).execute().asLong();
        }
        return total;
    }

    @Test
    void testBpfTailCallTests() {
        try (Context context = context("counter-by-value")) {
            Value module = BpfRunner.evalAsm(context, TEST_BPF, "test_bpf.s");
            assertEquals(1000, sum1000(module, "leaf"));
            assertEquals(3000, sum1000(module, "tc2"));
            assertEquals(6000, sum1000(module, "tc3"));
            assertEquals(10000, sum1000(module, "tc4"));
            assertEquals(0, sum1000(module, "ldst_leaf"));
            assertEquals(0, sum1000(module, "ldst_tc"));
            sum1000(module, "max_count");
            assertEquals(34000, global(module, "state"));
            module.getMember("state").setArrayElement(0, 0);
            sum1000(module, "helper_count");
            assertEquals(34000, global(module, "state"));
            assertEquals(1000, sum1000(module, "empty_slot"));
            assertEquals(1000, sum1000(module, "out_of_range"));
        }
    }
}
