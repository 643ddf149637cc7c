package org.trufflebpf.jit.x64;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.HelperCost;
import org.trufflebpf.runtime.Helpers;
import org.trufflebpf.runtime.MemoryRegion;
import org.trufflebpf.runtime.NativeEngineProvider;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.StackFrames;
import org.trufflebpf.runtime.TailCallAbi;
import org.trufflebpf.runtime.maps.ArrayMap;
import org.trufflebpf.runtime.maps.BpfMap;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.runtime.maps.ProgArray;

/**
 * The native engine as the {@code bpf} language finds it ({@code bpf.Engine=native}): programs compiled in
 * checked mode over the shared runtime's maps and helpers, each run inside the caller's {@link RunState}
 * (its memory regions, budget and tail-call ABI).
 */
public final class NativeEngineService implements NativeEngineProvider {
    private static HelperTable runtimeHelpers;
    /** Prog arrays whose slot changes already reach {@link DirectTailCalls}. */
    private static final Set<ProgArray> LISTENED = Collections.newSetFromMap(new WeakHashMap<>());

    @Override
    public String name() {
        return "native";
    }

    /** Every helper of the shared runtime, reached through one upcall each. */
    static synchronized HelperTable runtimeHelpers() {
        if (runtimeHelpers == null) {
            HelperTable.Builder builder = HelperTable.builder();
            for (Helper helper : Helper.values()) {
                if (helper != Helper.TAIL_CALL) {
                    long helperId = helper.id();
                    builder.register(helper.id(), (a, b, c, d, e) -> callWithStackFrames(helperId, a, b, c, d, e));
                }
            }
            runtimeHelpers = builder.build();
        }
        return runtimeHelpers;
    }

    /**
     * Runs a runtime helper with the program's native stack frames as the run's stack, so that its pointer
     * checks accept pointers into the BPF frames (which the native engine keeps on the machine stack) and
     * nothing between them. Afterwards LD_ABS/LD_IND read the packet as the helper left it.
     */
    private static long callWithStackFrames(long id, long r1, long r2, long r3, long r4, long r5) {
        RunState state = RunState.current();
        // The helper's cost is charged to the run's budget, which native code keeps in its RunContext meanwhile.
        RunContext context = RunContext.current();
        state.setRemainingBudget(context.budgetRemaining());
        HelperCost.charge(state, id, r1, r2, r3, r4);
        context.setBudgetRemaining(state.remainingBudget());
        StackFrames frames = state.stackFrames();
        NativeStackFrames.duringHelperCall(context, frames);
        try {
            return Helpers.call(id, r1, r2, r3, r4, r5);
        } finally {
            // Outside a helper call the stack is the native code's to check: the runtime must allow none of it.
            frames.clear();
            context.setPacket(state.packetStart(), state.packetLength());
        }
    }

    @Override
    public NativeCode compile(Program program, MapSet maps, TailCallAbi abi) {
        for (BpfMap map : maps.all()) {
            if (map instanceof ProgArray array) {
                listen(array);
            }
        }
        JitOptions options = JitOptions.CHECKED.withTailCallCounter(counterOf(abi));
        return new Code(NativeEngine.compile(program, options, runtimeHelpers(), new RuntimeMaps(maps)), abi, maps);
    }

    /** The code's tail-call counter for a context's ABI. */
    private static JitOptions.TailCallCounter counterOf(TailCallAbi abi) {
        return abi == TailCallAbi.SHARED ? JitOptions.TailCallCounter.SHARED : JitOptions.TailCallCounter.BY_VALUE;
    }

    /**
     * A program's native code for reading: each BPF instruction above the x86 code it became (Capstone, Intel
     * syntax). Verified programs show the unchecked code (the kernel's layout alone, as {@code bpf jit-dump
     * --unchecked} prints it), unverified ones the checked code. Through the Polyglot API programs always run
     * checked code, which {@code bpf jit-dump} prints by default.
     */
    public static String jitDump(Program program, MapSet maps) {
        JitOptions options = program.isVerified() ? JitOptions.UNCHECKED : JitOptions.CHECKED;
        NativeImage image = BpfToX86.compile(program, options, runtimeHelpers(), new RuntimeMaps(maps));
        if (!JitDisassembler.isAvailable()) {
            throw new IllegalStateException("jit-dump needs the Capstone library (Debian package libcapstone4)");
        }
        return JitDisassembler.format(image);
    }

    /** Slot changes of the array reach the patcher of direct tail calls. */
    private static void listen(ProgArray array) {
        synchronized (LISTENED) {
            if (LISTENED.add(array)) {
                array.addListener((changed, index, previous, current) -> DirectTailCalls.slotChanged(changed.address(), index));
            }
        }
    }

    /** The runtime's maps as native code sees them. */
    private record RuntimeMaps(MapSet maps) implements NativeMaps {
        @Override
        public long mapPointer(int mapIndex) {
            return map(mapIndex).address();
        }

        @Override
        public long valuePointer(int mapIndex, int offset) {
            if (!(map(mapIndex) instanceof ArrayMap array) || array.maxEntries() != 1) {
                throw new IllegalArgumentException("direct value access needs a single-entry array, not " + map(mapIndex));
            }
            if (Integer.toUnsignedLong(offset) >= array.valueSize()) {
                throw new IllegalArgumentException("offset " + Integer.toUnsignedLong(offset) + " is outside the value of " + array);
            }
            return array.valueAddress(0) + offset;
        }

        @Override
        public boolean isProgArray(int mapIndex) {
            return map(mapIndex) instanceof ProgArray;
        }

        private BpfMap map(int mapIndex) {
            if (mapIndex < 0 || mapIndex >= maps.size()) {
                throw new IllegalArgumentException("no map " + mapIndex);
            }
            return maps.get(mapIndex);
        }
    }

    private record Code(NativeProgram program, TailCallAbi tailCallAbi, MapSet maps) implements NativeCode {
        @Override
        public long entryAddress() {
            return program.entryAddress();
        }

        @Override
        public String disassemble(boolean withStubs) {
            if (!JitDisassembler.isAvailable()) {
                throw new IllegalStateException("disassembly needs the Capstone library (Debian package libcapstone4)");
            }
            return JitDisassembler.format(program.image(), program.liveCode(), withStubs);
        }

        @Override
        public String disassembleUnchecked() {
            Program source = program.image().program();
            if (!source.isVerified()) {
                return null;
            }
            if (!JitDisassembler.isAvailable()) {
                throw new IllegalStateException("disassembly needs the Capstone library (Debian package libcapstone4)");
            }
            JitOptions options = JitOptions.UNCHECKED.withTailCallCounter(counterOf(tailCallAbi));
            NativeImage image = BpfToX86.compile(source, options, runtimeHelpers(), new RuntimeMaps(maps));
            return JitDisassembler.format(image, image.code(), false);
        }

        @Override
        public long run(RunState state, long r1, long r2) {
            List<MemorySegment> accessible = new ArrayList<>();
            for (MemoryRegion region : state.regions().all()) {
                MemorySegment segment = MemorySegment.ofAddress(region.base()).reinterpret(region.size());
                accessible.add(region.writable() ? segment : segment.asReadOnly());
            }
            long limit = state.remainingBudget();
            boolean shared = state.options().tailCallAbi() == TailCallAbi.SHARED;
            try {
                MemoryAccessPolicy policy = new MemoryAccessPolicy() {
                    @Override
                    public boolean allows(long address, long size, boolean write) {
                        return state.regions().allows(address, size, write);
                    }

                    @Override
                    public String describe(long address, long size, boolean write, RunContext context) {
                        NativeStackFrames.atFault(context, state.stackFrames());
                        try {
                            return state.regions().describeViolation(address, size, write);
                        } finally {
                            state.stackFrames().clear();
                        }
                    }

                    @Override
                    public long regionsVersion() {
                        return state.regions().version();
                    }

                    @Override
                    public List<long[]> regions() {
                        List<long[]> now = new ArrayList<>();
                        for (MemoryRegion region : state.regions().all()) {
                            now.add(new long[] {region.base(), region.size(), region.writable() ? 1 : 0});
                        }
                        return now;
                    }
                };
                RunSettings settings = RunSettings.of(accessible).withInstructionLimit(limit).withSharedTailCallCounter(shared).withFallback(policy)
                                .withPacket(state.packetStart(), state.packetLength());
                NativeProgram.Outcome outcome = program.execute(r1, r2, settings);
                state.setRemainingBudget(limit - outcome.executed());
                return outcome.r0();
            } catch (org.trufflebpf.model.BpfError error) {
                if (error.kind() == org.trufflebpf.model.BpfError.Kind.BUDGET) {
                    state.setRemainingBudget(0);
                }
                throw error;
            }
        }

        @Override
        public void close() {
            program.close();
        }
    }
}
