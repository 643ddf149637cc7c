package org.trufflebpf.jit.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.runtime.maps.ProgArray;

/**
 * lib/test_bpf.c's tail_call_tests, written anew in our assembly (spec/tailcall-tests.md): the prog array has
 * one slot per program plus an empty one; each test runs 1000 times; state tests get r1 = a pointer to a
 * 64-bit counter.
 */
class KernelTestBpfTailCallsTest {
    private static final String[] ORDER = {"leaf", "tail2", "tail3", "tail4", "ldst_leaf", "ldst_tail", "max_count", "max_count_helper",
                    "empty_slot", "out_of_range"};
    private static final int EMPTY = ORDER.length;

    private static String tailCall(String target) {
        int index = target.equals("EMPTY") ? EMPTY : target.equals("FAR") ? 1000 : List.of(ORDER).indexOf(target);
        return "    lddw %r2, map:progs\n    mov %r3, " + index + "\n    call tail_call\n";
    }

    private static final String OBJECT = ".map progs prog_array key=4 value=4 entries=" + (ORDER.length + 1) + "\n"
                    + ".program leaf\n    mov %r0, %r1\n    add %r0, 1\n    exit\n"
                    + ".program tail2\n    add %r1, 2\n" + tailCall("leaf") + "    mov %r0, -1\n    exit\n"
                    + ".program tail3\n    add %r1, 3\n" + tailCall("tail2") + "    mov %r0, -1\n    exit\n"
                    + ".program tail4\n    add %r1, 4\n" + tailCall("tail3") + "    mov %r0, -1\n    exit\n"
                    // 32 bytes of stack written and read back: 0 when they agree.
                    + ".program ldst_leaf\n    stdw [%r10-32], 7\n    stdw [%r10-8], 9\n    ldxdw %r0, [%r10-32]\n    ldxdw %r2, [%r10-8]\n"
                    + "    sub %r0, 7\n    sub %r2, 9\n    or %r0, %r2\n    exit\n"
                    // 16 bytes of stack, then into the leaf with r1 = -1 (the leaf returns r1 + 1 = 0).
                    + ".program ldst_tail\n    stdw [%r10-16], 5\n    ldxdw %r1, [%r10-16]\n    sub %r1, 6\n" + tailCall("leaf")
                    + "    mov %r0, -1\n    exit\n"
                    + ".program max_count\n    ldxdw %r2, [%r1]\n    add %r2, 1\n    stxdw [%r1], %r2\n" + tailCall("max_count")
                    + "    mov %r0, 0\n    exit\n"
                    // The counter survives helper calls: r1 kept on the stack across ktime_get_ns.
                    + ".program max_count_helper\n    stxdw [%r10-8], %r1\n    call 5\n    ldxdw %r1, [%r10-8]\n    ldxdw %r2, [%r1]\n"
                    + "    add %r2, 1\n    stxdw [%r1], %r2\n" + tailCall("max_count_helper") + "    mov %r0, 0\n    exit\n"
                    + ".program empty_slot\n    ldxdw %r2, [%r1]\n    add %r2, 1\n    stxdw [%r1], %r2\n" + tailCall("EMPTY")
                    + "    mov %r0, 0\n    exit\n"
                    + ".program out_of_range\n    ldxdw %r2, [%r1]\n    add %r2, 1\n    stxdw [%r1], %r2\n" + tailCall("FAR")
                    + "    mov %r0, 0\n    exit\n";

    private static MapSet maps;
    private static final Map<String, NativeProgram> PROGRAMS = new HashMap<>();

    @BeforeAll
    static void load() {
        BpfObject object = Assembler.assemble(OBJECT, "test_bpf_tail_calls.s");
        maps = MapSet.create(object.maps(), 1, "test_bpf_tail_calls.s");
        ProgArray array = (ProgArray) maps.get(0);
        for (int i = 0; i < ORDER.length; i++) {
            Program program = object.findProgram(ORDER[i]);
            NativeProgram loaded = NativeEngine.compile(program, JitOptions.CHECKED, maps);
            PROGRAMS.put(ORDER[i], loaded);
            assertEquals(0, array.set(i, loaded));
        }
    }

    @AfterAll
    static void unload() {
        ProgArray array = (ProgArray) maps.get(0);
        for (int i = 0; i < ORDER.length; i++) {
            array.clear(i);
        }
        PROGRAMS.values().forEach(NativeProgram::close);
        maps.close();
    }

    private static long runThousandTimes(String name) {
        long result = 0;
        for (int i = 0; i < 1000; i++) {
            result = SharedRuntime.run(PROGRAMS.get(name), maps, MemorySegment.NULL);
        }
        return result;
    }

    /** Runs 1000 times with r1 = a shared counter; returns the counter. */
    private static long stateAfterThousandRuns(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(8, 8);
            state.set(ValueLayout.JAVA_LONG, 0, 0);
            for (int i = 0; i < 1000; i++) {
                SharedRuntime.run(PROGRAMS.get(name), maps, state);
            }
            return state.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    @Test
    void leaf() {
        assertEquals(1, runThousandTimes("leaf"));
    }

    @Test
    void chainsOfTwoThreeAndFour() {
        assertEquals(3, runThousandTimes("tail2"));
        assertEquals(6, runThousandTimes("tail3"));
        assertEquals(10, runThousandTimes("tail4"));
    }

    @Test
    void loadStoreLeafAndLoadStoreBeforeATailCall() {
        assertEquals(0, runThousandTimes("ldst_leaf"));
        assertEquals(0, runThousandTimes("ldst_tail"));
    }

    @Test
    void maxCountIs34RunsOfTheProgramPerRun() {
        assertEquals(34_000, stateAfterThousandRuns("max_count"));
    }

    @Test
    void counterKeptAcrossHelperCalls() {
        assertEquals(34_000, stateAfterThousandRuns("max_count_helper"));
    }

    @Test
    void emptySlotAndIndexOutOfRangeFallThrough() {
        assertEquals(1000, stateAfterThousandRuns("empty_slot"));
        assertEquals(1000, stateAfterThousandRuns("out_of_range"));
    }
}
