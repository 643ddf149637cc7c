package org.trufflebpf.jit.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.TailCallAbi;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * Native code looks into an array map itself when r1 is certainly that map, and must then act exactly as the
 * helper: each case runs the inlined program beside a twin of the same length whose r1 comes through another
 * register, so its lookup calls the helper, each over maps of its own, and both must agree run after run
 * (results, map contents, errors and their wording, budget).
 */
class InlineArrayLookupTest {
    private static final String MAPS = """
                    .map counts array key=4 value=8 entries=4
                    .map per percpu_array key=4 value=8 entries=4
                    .map table hash key=4 value=8 entries=4
                    """;

    /** Counts the key at r1 in {@code map}: returns the new count, or -1 when the lookup finds nothing. */
    private static String counter(String name, String map, boolean inlined) {
        String setR1 = inlined ? "lddw %r1, map:" + map + "\nmov %r7, %r1\n" : "lddw %r7, map:" + map + "\nmov %r1, %r7\n";
        return ".program " + name + " raw\nmov %r6, %r1\n" + setR1 + """
                        mov %r2, %r6
                        call map_lookup_elem
                        jeq %r0, 0, none
                        ldxdw %r1, [%r0]
                        add %r1, 1
                        stxdw [%r0], %r1
                        mov %r0, %r1
                        exit
                        none:
                        mov %r0, -1
                        exit
                        """;
    }

    private static BpfObject object(String name, String map, boolean inlined) {
        return Assembler.assemble(MAPS + counter(name, map, inlined), name + ".s");
    }

    /** Whether the lookup of program {@code name} is inlined, with maps made for 4 CPUs. */
    private static boolean inlined(BpfObject object, String name) {
        MapSet maps = MapSet.create(object.maps(), 4, name + ".s");
        try {
            return !InlineArrayLookups.of(object.findProgram(name), maps).isEmpty();
        } finally {
            maps.close();
        }
    }

    @Test
    void onlyALookupWhoseR1IsCertainlyAPlainArrayMapIsInlined() {
        assertTrue(inlined(object("c", "counts", true), "c"));
        assertFalse(inlined(object("c", "counts", false), "c"), "r1 through another register");
        assertFalse(inlined(object("c", "per", true), "c"), "a per-CPU array");
        assertFalse(inlined(object("c", "table", true), "c"), "a hash map");
        // The call is a jump target: r1 may be the other map when it is reached by the jump.
        String joined = MAPS + """
                        .program j raw
                        mov %r2, %r1
                        lddw %r1, map:table
                        jeq %r2, 0, call
                        lddw %r1, map:counts
                        call:
                        call map_lookup_elem
                        exit
                        """;
        assertFalse(inlined(Assembler.assemble(joined, "j.s"), "j"), "a jump target between the lddw and the call");
    }

    @Test
    void inlinedLookupsCountAsTheHelpersDoAndEnterCritically() {
        BpfObject inlinedObject = object("c", "counts", true);
        BpfObject helperObject = object("c", "counts", false);
        MapSet inlinedMaps = MapSet.create(inlinedObject.maps(), 1, "i.s");
        MapSet helperMaps = MapSet.create(helperObject.maps(), 1, "h.s");
        try (Arena arena = Arena.ofConfined();
                        NativeProgram inlined = NativeEngine.compile(inlinedObject.findProgram("c"), JitOptions.CHECKED, inlinedMaps);
                        NativeProgram helper = NativeEngine.compile(helperObject.findProgram("c"), JitOptions.CHECKED, helperMaps)) {
            assertTrue(inlined.criticalEntry());
            assertFalse(helper.criticalEntry());
            MemorySegment key = arena.allocate(4);
            int[] keys = {0, 1, 1, 3, 4, -1, 3, 0x10000, 2, 1};
            for (int k : keys) {
                key.set(ValueLayout.JAVA_INT, 0, k);
                long expected = SharedRuntime.run(helper, helperMaps, key);
                assertEquals(expected, SharedRuntime.run(inlined, inlinedMaps, key), "key " + k);
            }
            key.set(ValueLayout.JAVA_INT, 0, 1);
            assertEquals(4, SharedRuntime.run(inlined, inlinedMaps, key), "key 1 was counted three times before");
        } finally {
            inlinedMaps.close();
            helperMaps.close();
        }
    }

    @Test
    void aKeyTheRunMayNotReadFailsAtTheCallWithTheHelpersWords() {
        BpfObject inlinedObject = object("c", "counts", true);
        BpfObject helperObject = object("c", "counts", false);
        MapSet inlinedMaps = MapSet.create(inlinedObject.maps(), 1, "i.s");
        MapSet helperMaps = MapSet.create(helperObject.maps(), 1, "h.s");
        try (Arena arena = Arena.ofConfined();
                        NativeProgram inlined = NativeEngine.compile(inlinedObject.findProgram("c"), JitOptions.CHECKED, inlinedMaps);
                        NativeProgram helper = NativeEngine.compile(helperObject.findProgram("c"), JitOptions.CHECKED, helperMaps)) {
            // No memory (r1 = 0), and a key that overruns the 2 bytes of memory it starts in.
            for (MemorySegment memory : new MemorySegment[] {MemorySegment.NULL, arena.allocate(2)}) {
                BpfError expected = assertThrows(BpfError.class, () -> SharedRuntime.run(helper, helperMaps, memory));
                for (int i = 0; i < 20; i++) {
                    BpfError actual = assertThrows(BpfError.class, () -> SharedRuntime.run(inlined, inlinedMaps, memory));
                    assertEquals(expected.kind(), actual.kind());
                    assertEquals(expected.instructionIndex(), actual.instructionIndex());
                    assertEquals(expected.getMessage(), actual.getMessage());
                    assertTrue(actual.reason().startsWith("map_lookup_elem key: "), actual.getMessage());
                }
            }
        } finally {
            inlinedMaps.close();
            helperMaps.close();
        }
    }

    @Test
    void anInlinedLookupCostsTheBudgetWhatTheHelperCosts() {
        BpfObject inlinedObject = object("c", "counts", true);
        BpfObject helperObject = object("c", "counts", false);
        Program inlinedProgram = inlinedObject.findProgram("c");
        MapSet inlinedMaps = MapSet.create(inlinedObject.maps(), 1, "i.s");
        MapSet helperMaps = MapSet.create(helperObject.maps(), 1, "h.s");
        try (Arena arena = Arena.ofConfined();
                        NativeProgram inlined = NativeEngine.compile(inlinedProgram, JitOptions.CHECKED, inlinedMaps);
                        NativeProgram helper = NativeEngine.compile(helperObject.findProgram("c"), JitOptions.CHECKED, helperMaps)) {
            MemorySegment key = arena.allocate(4);
            int finished = 0;
            for (long limit = 1; limit <= 16; limit++) {
                String expected = outcome(helper, helperMaps, key, limit);
                assertEquals(expected, outcome(inlined, inlinedMaps, key, limit), "limit " + limit);
                finished += expected.startsWith("r0 ") ? 1 : 0;
            }
            assertTrue(finished > 0 && finished < 16, "some limits stop the run, some let it finish");
        } finally {
            inlinedMaps.close();
            helperMaps.close();
        }
    }

    /** r0 and the budget left, or the error, of one run with {@code limit} instructions. */
    private static String outcome(NativeProgram program, MapSet maps, MemorySegment key, long limit) {
        try (RunState state = SharedRuntime.state(SharedRuntime.options(limit, TailCallAbi.COUNTER_BY_VALUE), maps)) {
            state.regions().add("memory", key.address(), key.byteSize(), true);
            try {
                long r0 = SharedRuntime.run(program, state, key.address(), key.byteSize());
                return "r0 " + r0 + " left " + state.remainingBudget();
            } catch (BpfError e) {
                return e.kind() + " at " + e.instructionIndex() + ": " + e.getMessage();
            }
        }
    }
}
