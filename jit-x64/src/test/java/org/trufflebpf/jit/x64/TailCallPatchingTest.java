package org.trufflebpf.jit.x64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.runtime.RunOptions;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.maps.Errno;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.runtime.maps.ProgArray;

/**
 * Direct tail calls (spec §5): the poke states the patch sites go through, the kernel fix that keeps an
 * out-of-range constant key indirect, and patching while other threads run the code.
 */
class TailCallPatchingTest {
    private static final byte[] NOP5 = {0x0f, 0x1f, 0x44, 0x00, 0x00};

    /** The object's maps as the runtime creates them; its prog array is map 0. */
    private static final class Maps implements AutoCloseable {
        final MapSet maps;
        final ProgArray array;

        Maps(BpfObject object) {
            maps = MapSet.create(object.maps(), 1, "direct.s");
            array = (ProgArray) maps.get(0);
        }

        void set(int key, NativeProgram program) {
            assertEquals(0, array.set(key, program));
        }

        /** Empties a slot; false when it was already empty (the runtime's -ENOENT, as the kernel answers). */
        boolean delete(int key) {
            long result = array.clear(key);
            assertTrue(result == 0 || result == -Errno.ENOENT, "clear answered " + result);
            return result == 0;
        }

        long run(NativeProgram program) {
            return SharedRuntime.run(program, maps, MemorySegment.NULL);
        }

        @Override
        public void close() {
            maps.close();
        }
    }

    private static final String OBJECT = """
                    .map jmp_table prog_array key=4 value=4 entries=2
                    .program caller socket
                        lddw %r2, map:jmp_table
                        mov %r3, KEY
                        call tail_call
                        mov %r0, 1
                        exit
                    .program returns_42 socket
                        mov %r0, 42
                        exit
                    .program returns_24 socket
                        mov %r0, 24
                        exit
                    """;

    private static NativeProgram load(BpfObject object, String name, Maps maps) {
        return NativeEngine.compile(object.findProgram(name), JitOptions.CHECKED, maps.maps);
    }

    private static boolean isJmp(byte[] site) {
        return (site[0] & 0xff) == 0xe9;
    }

    /** Which of B, C, D the (bypass, target) pair is in; A is reported as "A". */
    private static String state(NativeProgram program) {
        PokeDescriptor poke = program.image().pokes().get(0);
        byte[] bypass = TailCallPatcher.read(program, poke.bypassOffset());
        byte[] target = TailCallPatcher.read(program, poke.targetOffset());
        boolean bypassJmp = isJmp(bypass);
        boolean targetJmp = isJmp(target);
        assertTrue(bypassJmp || Arrays.equals(bypass, NOP5), "bypass holds a jmp or a nop5");
        assertTrue(targetJmp || Arrays.equals(target, NOP5), "target holds a jmp or a nop5");
        return bypassJmp ? (targetJmp ? "D" : "C") : (targetJmp ? "B" : "A");
    }

    @Test
    void patchSitesGoThroughTheStatesOfTheSpecAndRunAccordingly() {
        BpfObject object = Assembler.assemble(OBJECT.replace("KEY", "0"), "direct.s");
        try (Maps maps = new Maps(object); NativeProgram caller = load(object, "caller", maps);
                        NativeProgram p42 = load(object, "returns_42", maps); NativeProgram p24 = load(object, "returns_24", maps)) {
            assertEquals(1, caller.image().pokes().size(), "a constant in-range key takes the direct form");
            PokeDescriptor poke = caller.image().pokes().get(0);
            assertTrue((poke.bypassOffset() & 7) <= 3 && (poke.targetOffset() & 7) <= 3, "each site lies inside one aligned 8-byte word");
            assertEquals("C", state(caller));
            assertEquals(1, maps.run(caller));

            maps.set(0, p42);
            assertEquals("B", state(caller));
            assertEquals(42, maps.run(caller));
            byte[] expected = TailCallPatcher.jmp(caller.codeAddress() + poke.targetOffset(), p42.entryAddress() + PokeDescriptor.ADJ_OFF);
            assertArrayEquals(expected, TailCallPatcher.read(caller, poke.targetOffset()));

            maps.set(0, p24);
            assertEquals("B", state(caller));
            assertEquals(24, maps.run(caller));

            assertTrue(maps.delete(0));
            assertEquals("C", state(caller));
            assertEquals(1, maps.run(caller));
            assertFalse(maps.delete(0), "deleting an empty slot fails");
        }
    }

    @Test
    void targetsLoadedFarApartInTheAddressSpaceAreStillPatchedAndRun() throws Throwable {
        // Between the caller and the target 6 GiB of address space is taken, so a free-standing mapping may land
        // beyond rel32 reach of the caller's patch site (where depends on the kernel); both images must lie in
        // the one code region, which is smaller than rel32's reach, and the patch must work.
        MethodHandle mmap = Linker.nativeLinker().downcallHandle(
                        Linker.nativeLinker().defaultLookup().find("mmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                        ValueLayout.JAVA_LONG));
        MethodHandle munmap = Linker.nativeLinker().downcallHandle(
                        Linker.nativeLinker().defaultLookup().find("munmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                                        ValueLayout.JAVA_LONG));
        long far = 6L << 30;
        BpfObject object = Assembler.assemble(OBJECT.replace("KEY", "0"), "direct.s");
        try (Maps maps = new Maps(object); NativeProgram caller = load(object, "caller", maps)) {
            long hole = (long) mmap.invokeExact(0L, far, 0, 0x22 | 0x4000, -1, 0L); // PROT_NONE, private anonymous, no reserve
            assertTrue(hole != -1L, "6 GiB of address space could be reserved");
            try (NativeProgram target = load(object, "returns_42", maps)) {
                maps.set(0, target);
                assertEquals("B", state(caller));
                assertEquals(42, maps.run(caller));
                maps.delete(0);
                CodeRegion region = CodeRegion.get();
                assertTrue(region.contains(caller.codeAddress(), caller.image().code().length), "caller inside the code region");
                assertTrue(region.contains(target.codeAddress(), target.image().code().length), "target inside the code region");
                assertTrue(CodeRegion.SIZE < 1L << 31, "any two places in the region are within rel32 reach");
            } finally {
                int ignored = (int) munmap.invokeExact(hole, far);
            }
        }
    }

    @Test
    void aProgramLoadedAfterItsSlotWasFilledStartsInStateB() {
        BpfObject object = Assembler.assemble(OBJECT.replace("KEY", "1"), "direct.s");
        try (Maps maps = new Maps(object); NativeProgram p42 = load(object, "returns_42", maps)) {
            maps.set(1, p42);
            try (NativeProgram caller = load(object, "caller", maps)) {
                assertEquals("B", state(caller));
                assertEquals(42, maps.run(caller));
                maps.delete(1);
            }
        }
    }

    @Test
    void aConstantKeyBeyondMaxEntriesStaysIndirectAndFallsThrough() {
        // Kernel fix a657182a5c51: key 2 of a 2-entry array must not become a direct tail call.
        BpfObject object = Assembler.assemble(OBJECT.replace("KEY", "2"), "direct.s");
        try (Maps maps = new Maps(object); NativeProgram caller = load(object, "caller", maps);
                        NativeProgram p42 = load(object, "returns_42", maps)) {
            assertTrue(caller.image().pokes().isEmpty());
            maps.set(0, p42);
            maps.set(1, p42);
            assertEquals(1, maps.run(caller));
            maps.delete(0);
            maps.delete(1);
        }
    }

    @Test
    void patchingWhileOtherThreadsRunNeverCrashesNorShowsStateA() throws Exception {
        BpfObject object = Assembler.assemble(OBJECT.replace("KEY", "0"), "direct.s");
        try (Maps maps = new Maps(object); NativeProgram caller = load(object, "caller", maps);
                        NativeProgram p42 = load(object, "returns_42", maps); NativeProgram p24 = load(object, "returns_24", maps)) {
            AtomicBoolean stop = new AtomicBoolean();
            Set<Long> seen = ConcurrentHashMap.newKeySet();
            AtomicInteger runs = new AtomicInteger();
            List<Thread> runners = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                Thread runner = new Thread(() -> {
                    while (!stop.get()) {
                        seen.add(maps.run(caller));
                        runs.incrementAndGet();
                    }
                });
                runner.start();
                runners.add(runner);
            }
            try {
                for (int i = 0; i < 3000; i++) {
                    maps.set(0, i % 2 == 0 ? p42 : p24);
                    assertEquals("B", state(caller));
                    if (i % 3 == 0) {
                        maps.delete(0);
                        assertEquals("C", state(caller));
                    }
                }
            } finally {
                // Also when an assertion fails: the programs are freed next, and a runner still inside one
                // would crash the JVM and hide the failure.
                stop.set(true);
                for (Thread runner : runners) {
                    runner.join();
                }
            }
            assertTrue(runs.get() > 0);
            assertTrue(Set.of(1L, 42L, 24L).containsAll(seen), "only allowed results: " + seen);
            maps.delete(0);
        }
    }

    @Test
    void loadsAndUnloadsRacingWithSlotUpdatesNeverMissAPatch() throws Exception {
        // Kernel fix 4b7de801606e: a site registered while its slot changes must end in the slot's state.
        BpfObject object = Assembler.assemble(OBJECT.replace("KEY", "0"), "direct.s");
        try (Maps maps = new Maps(object); NativeProgram p42 = load(object, "returns_42", maps)) {
            AtomicBoolean stop = new AtomicBoolean();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            Thread updater = new Thread(() -> {
                try {
                    for (int i = 0; !stop.get(); i++) {
                        if (i % 2 == 0) {
                            maps.set(0, p42);
                        } else {
                            maps.delete(0);
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
            updater.start();
            try {
                for (int i = 0; i < 300; i++) {
                    try (NativeProgram caller = load(object, "caller", maps)) {
                        // The array's lock covers a slot change and its patches, loads and unloads. A removal
                        // bypasses the site under the lock (B → D) and makes it a nop (D → C) after the grace
                        // period, outside the lock: an empty slot's site may be seen in either.
                        synchronized (maps.array) {
                            String state = state(caller);
                            if (maps.array.get(0) != null) {
                                assertEquals("B", state);
                            } else {
                                assertTrue(state.equals("C") || state.equals("D"), "empty slot, site in " + state);
                            }
                        }
                        long r0 = maps.run(caller);
                        assertTrue(r0 == 1 || r0 == 42, "result " + r0);
                    }
                }
            } finally {
                stop.set(true);
                updater.join();
            }
            assertTrue(failures.isEmpty(), failures.toString());
            maps.delete(0);
        }
    }

    @Test
    void emptyingASlotFromInsideARunDoesNotWaitForThatRun() {
        // Host code on the run's thread empties the slot during a helper call (here the output stream that
        // trace_printk writes to): the grace period must not wait for its own run.
        String printBang = "    stw [%r10-8], 0x21\n    mov %r1, %r10\n    add %r1, -8\n    mov %r2, 8\n    call trace_printk\n";
        BpfObject object = Assembler.assemble(OBJECT.replace("KEY", "0").replace("    lddw %r2, map:jmp_table", printBang + "    lddw %r2, map:jmp_table"),
                        "direct.s");
        try (Maps maps = new Maps(object); NativeProgram p42 = load(object, "returns_42", maps); NativeProgram caller = load(object, "caller", maps)) {
            OutputStream emptiesTheSlot = new OutputStream() {
                @Override
                public void write(int b) {
                    if (maps.array.get(0) != null) {
                        maps.delete(0);
                    }
                }
            };
            maps.set(0, p42);
            try (RunState state = new RunState(RunOptions.defaults(), new PrintStream(emptiesTheSlot), maps.maps)) {
                assertEquals(1, SharedRuntime.run(caller, state, 0, 0), "the slot was emptied before the tail call");
            }
            assertEquals("C", state(caller));
        }
    }
}
