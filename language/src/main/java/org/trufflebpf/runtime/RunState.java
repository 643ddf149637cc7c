package org.trufflebpf.runtime;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.trufflebpf.model.Opcodes;
import org.trufflebpf.runtime.maps.BpfMap;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * Everything one top-level run of a program owns: its native stack (one frame per call depth, see {@link #MAX_FRAMES}), the table of
 * memory it may touch, the execution budget, the shared tail-call counter, and the deterministic clock and
 * random numbers of the helpers. Helpers find the run of their thread through {@link #current()}, so they can
 * be plain static methods that native code also calls. A run names maps only through the context its program's
 * maps belong to ({@link #map}).
 */
public final class RunState implements AutoCloseable {
    /**
     * Frames a run may nest. The verifier bounds bpf-to-bpf nesting at 8 per program, but a tail call from a
     * subprogram keeps the frames below it, so with 33 tail calls a run may nest up to 8 frames 34 times over.
     */
    public static final int MAX_FRAMES = Opcodes.MAX_CALL_FRAMES * (Opcodes.MAX_TAIL_CALL_CNT + 1);
    /**
     * Frames lie this far apart in the interpreter's stack: a full frame plus unreachable bytes between
     * neighbours (see {@link StackFrames#MIN_GAP}).
     */
    public static final int FRAME_SPACING = Opcodes.MAX_STACK + 64;
    public static final int STACK_BYTES = MAX_FRAMES * FRAME_SPACING;

    /** Bytes of a thread's first run-memory block: an XDP frame with its guards and context fit. */
    private static final long INITIAL_RUN_MEMORY = 16 * 1024;

    /** One stack and one block of run memory per thread; freed with their holder when the thread is gone. */
    private static final class StackHolder {
        final MemorySegment segment = Arena.ofAuto().allocate(STACK_BYTES, 16);
        final StackFrames frames = new StackFrames(MAX_FRAMES);
        final CallChain callChain = new CallChain(MAX_FRAMES);
        boolean inUse;
        /** The thread's current run ({@link RunState#current()}): kept here, so that a run looks up one thread-local. */
        RunState current;
        /** Where a run's context and packet go (see {@link RunState#allocateRunMemory}), and how much is taken. */
        MemorySegment runMemory = Arena.ofAuto().allocate(INITIAL_RUN_MEMORY, 16);
        long runMemoryUsed;
        /** The most a run wanted: the next run gets a block this large. */
        long runMemoryWanted;
        /**
         * The XDP frame (with its guards) the last frame allocation put at {@code frameStart}, {@code frameBytes}
         * long (0: none): all its bytes are zero but those in [dirtyLow, dirtyHigh), the span its runs exposed to
         * the guest. Any other allocation that overlaps it forgets it.
         */
        long frameStart;
        long frameBytes;
        long dirtyLow;
        long dirtyHigh;

        /** A new outermost run starts: the block is all free again, and as large as the largest run wanted. */
        void reuseRunMemory() {
            if (runMemoryWanted > runMemory.byteSize()) {
                // Only between runs: no run holds addresses in the block being replaced.
                runMemory = Arena.ofAuto().allocate(runMemoryWanted, 16);
                frameStart = 0;
            }
            runMemoryUsed = 0;
            runMemoryWanted = 0;
        }

        /** The thread's outermost run state, reset for each run ({@link RunState#open}); null before the first. */
        RunState pooledState;
    }

    private static final CachedThreadLocal<StackHolder> STACKS = new CachedThreadLocal<>(StackHolder::new);

    /** Created on first use: most runs allocate from their thread's run memory instead. */
    private Arena arena;
    private final StackHolder holder;
    private final StackFrames frames;
    private final CallChain callChain;
    private final MemoryRegions regions;
    private RunOptions options;
    private PrintStream output;
    private MapSet maps;
    private ContextRuntime runtime;
    private final long stackBase;
    /** Made at the first bpf_get_prandom_u32 of the run: most runs need none. */
    private SplittableRandom random;
    private long clockNanos;
    /** Where each run's clock starts (from the options' seed). */
    private long clockStart;
    /** The id of the maps whose regions the first {@link #mapRegions} regions are, or 0. */
    private long regionsOfMaps;
    private int mapRegions;
    /** r1 and r2 the run starts with, for engines that take them from the state. */
    private long entryR1;
    private long entryR2;
    /** Instructions the run may still execute; engines may keep it in a register and write it back. */
    private long remaining;
    private final boolean pooledStack;
    private int sharedTailCalls;
    /**
     * The interpreter's tail call a function has made but not yet entered (its entry call target, kept as an
     * Object as this package knows no Truffle types), and the counter it enters with: the function returns and
     * its caller enters the target, so a chain of tail calls does not nest (see BpfFunctionNode).
     */
    private Object pendingTailCall;
    private int pendingTailCallCounter;
    private long packetStart;
    private long packetEnd;
    private long packetBufferStart;
    private long contextAddress;
    private RunState previous;
    private CancelFlag cancelFlag;
    private Runnable hostPoll;
    private final List<MapSet> includedMaps = new ArrayList<>();
    private final List<MapSet> heldMaps = new ArrayList<>();
    /** Maps of other modules whose values a map-of-maps lookup made reachable, each added to the regions once. */
    private final List<BpfMap> reachedMaps = new ArrayList<>();

    public RunState(RunOptions options, PrintStream output, MapSet maps) {
        this.options = options;
        this.output = output;
        this.maps = maps;
        this.runtime = maps != null ? maps.runtime() : new ContextRuntime();
        // Runs reuse their thread's stack and frame table (no allocation per run; each function clears its own
        // frame on entry); a nested run gets its own.
        StackHolder threadHolder = STACKS.get();
        MemorySegment stack;
        if (!threadHolder.inUse) {
            threadHolder.inUse = true;
            holder = threadHolder;
            stack = threadHolder.segment;
            frames = threadHolder.frames;
            frames.clear();
            callChain = threadHolder.callChain;
            pooledStack = true;
            threadHolder.reuseRunMemory();
        } else {
            holder = null;
            stack = arena().allocate(STACK_BYTES, 16);
            frames = new StackFrames(MAX_FRAMES);
            callChain = new CallChain(MAX_FRAMES);
            pooledStack = false;
        }
        this.regions = new MemoryRegions(frames);
        this.stackBase = stack.address();
        startRun();
    }

    /**
     * The state of a new top-level run: the thread's pooled state, reset, when no run of the thread holds it
     * (so a run allocates nothing), else a state of its own. Either way as fresh as a new one: nothing the
     * previous run set or held shows.
     */
    public static RunState open(RunOptions options, PrintStream output, MapSet maps) {
        StackHolder threadHolder = STACKS.get();
        RunState state = threadHolder.pooledState;
        if (state != null && !threadHolder.inUse) {
            threadHolder.inUse = true;
            state.options = options;
            state.output = output;
            state.maps = maps;
            state.runtime = maps != null ? maps.runtime() : new ContextRuntime();
            state.frames.clear();
            threadHolder.reuseRunMemory();
            state.startRun();
            return state;
        }
        state = new RunState(options, output, maps);
        if (state.holder != null && threadHolder.pooledState == null) {
            threadHolder.pooledState = state;
        }
        return state;
    }

    /** Resets what a run starts from: regions (the maps' only), budget, clock, and every per-run field. */
    private void startRun() {
        if (maps != null && maps.id() == regionsOfMaps) {
            regions.truncate(mapRegions);
        } else {
            regions.truncate(0);
            if (maps != null) {
                maps.addRegions(regions);
            }
            regionsOfMaps = maps != null ? maps.id() : 0;
            mapRegions = regions.count();
        }
        // A boot-time-like clock: one second plus something seed-dependent, advancing 1 µs per reading.
        clockStart = 1_000_000_000L + Math.floorMod(options.seed(), 1_000_000_000L);
        resetPerRun();
        // A reused state starts without the host's inputs and from the root cgroup, as a new one does.
        tunnel = null;
        fib = FibTable.EMPTY;
        probeMemory = ProbeMemory.EMPTY;
        cgroup = CgroupPath.ROOT;
        previous = null;
        packetStart = 0;
        packetEnd = 0;
        packetBufferStart = 0;
        packetBufferEnd = 0;
        packetMeta = 0;
        contextAddress = 0;
        skbContext = false;
        skbMacHeader = false;
        skbHashValid = false;
        skbNetworkOffset = 0;
        entryR1 = 0;
        entryR2 = 0;
        frameTracked = false;
        structureStamp++;
    }

    /**
     * Resets what each run starts afresh whatever its set-up: budget, clock, random numbers, tail calls, what the
     * run held, reached and reported (redirect, clones); the inputs the host gives (tunnel, routes, probe memory,
     * cgroup) are the caller's to set.
     */
    private void resetPerRun() {
        resetCounters();
        if (cancelFlag != null) {
            cancelFlag = null;
            hostPoll = null;
        }
        if (listsUsed) {
            includedMaps.clear();
            heldMaps.clear();
            reachedMaps.clear();
            clones.clear();
            listsUsed = false;
        }
    }

    /**
     * The part of {@link #resetPerRun} that reads and writes fields alone (no interface call), which
     * {@link #rearmQuickly} also makes: budget, clock, random numbers, tail calls, last map, redirect, r0, call chain.
     */
    private void resetCounters() {
        // Repeats in one set-up call this run after run, and most runs change none of the references: each is
        // written only when it changed, as a reference store costs the collector's barriers.
        remaining = options.instructionLimit();
        if (random != null) {
            random = null;
        }
        clockNanos = clockStart;
        sharedTailCalls = 0;
        if (pendingTailCall != null) {
            pendingTailCall = null;
        }
        lastMapAddress = 0;
        if (lastMap != null) {
            lastMap = null;
        }
        if (redirect != null) {
            redirect = null;
        }
        exitValue = 0;
        callChain.reset();
    }

    /**
     * What the set-up of a run left in its state (see {@link #rearm}): its regions, the run memory it took, where
     * its packet, context and entry registers are, and the host's inputs.
     */
    public record SetUp(long regionsVersion, long runMemoryUsed, long packetStart, long packetEnd, long packetBufferStart,
                    long packetBufferEnd, long packetMeta, long contextAddress, boolean skbContext, boolean skbMacHeader,
                    long skbNetworkOffset, boolean skbHashValid, long entryR1, long entryR2, boolean frameTracked, long structureStamp, TunnelInfo tunnel,
                    FibTable fib, ProbeMemory probeMemory, String cgroup) {
    }

    /**
     * The set-up of this run as it stands, taken before the run starts; null when the state cannot be rearmed
     * (a nested run's state, which has no thread memory of its own, or one that allocated from its arena).
     */
    public SetUp setUp() {
        if (!pooledStack || arena != null) {
            return null;
        }
        return new SetUp(regions.version(), holder.runMemoryUsed, packetStart, packetEnd, packetBufferStart, packetBufferEnd, packetMeta,
                        contextAddress, skbContext, skbMacHeader, skbNetworkOffset, skbHashValid, entryR1, entryR2, frameTracked, structureStamp,
                        tunnel == null ? null : tunnel.copy(), fib, probeMemory, cgroup);
    }

    /**
     * Makes the state, after a run, what {@code setUp} and {@link #open}'s resets made of it before that run, when
     * the run left the set-up's structure alone: the same regions, run memory, packet and context. A helper that
     * moved the packet, reached another module's maps or took run memory changed them; then nothing is reset, false
     * is returned, and the next run needs a set-up of its own. The bytes of the input and the context are the
     * caller's to restore. As {@link #open}, it leaves the run current on its thread.
     */
    public boolean rearm(SetUp setUp) {
        if (!keepsStructureOf(setUp)) {
            return false;
        }
        resetPerRun();
        // set_hash changes no structure: the hash's validity is what the set-up made it.
        skbHashValid = setUp.skbHashValid;
        // The host's inputs as the set-up had them: a program may have set the tunnel.
        if (tunnel != null || setUp.tunnel != null) {
            setTunnel(setUp.tunnel);
        }
        if (fib != setUp.fib || probeMemory != setUp.probeMemory || cgroup != setUp.cgroup) {
            fib = setUp.fib;
            probeMemory = setUp.probeMemory;
            cgroup = setUp.cgroup;
        }
        frames.clear();
        return true;
    }

    /** Whether the run left the structure {@code setUp} describes as it was (see {@link #rearm}). */
    private boolean keepsStructureOf(SetUp setUp) {
        return keepsMemoryOf(setUp) && packetStart == setUp.packetStart && packetEnd == setUp.packetEnd
                        && packetBufferStart == setUp.packetBufferStart && packetBufferEnd == setUp.packetBufferEnd
                        && packetMeta == setUp.packetMeta && contextAddress == setUp.contextAddress && skbContext == setUp.skbContext
                        && skbMacHeader == setUp.skbMacHeader && skbNetworkOffset == setUp.skbNetworkOffset && entryR1 == setUp.entryR1
                        && entryR2 == setUp.entryR2 && frameTracked == setUp.frameTracked;
    }

    /** Whether the run left the set-up's region table, run memory and maps as they were (no arena of its own). */
    private boolean keepsMemoryOf(SetUp setUp) {
        return regions.version() == setUp.regionsVersion && arena == null && holder.runMemoryUsed == setUp.runMemoryUsed
                        && (maps == null || maps.id() == regionsOfMaps);
    }

    /**
     * {@link #rearm} for the common run, which changed none of the host's inputs {@link #rearm} restores, took no
     * cancel flag and added nothing to the run's lists: then the full rearm would only reset counters and a few
     * references, and this does so in place. False, with nothing reset, for any other run: the caller falls back
     * to {@link #rearm}. It reads and writes fields and calls no interface method, so a compiled repeat loop runs
     * it inline (the full rearm is a call out of the loop's code: about 10 ns a run of the XDP parser).
     */
    public boolean rearmQuickly(SetUp setUp) {
        if (listsUsed || cancelFlag != null || tunnel != null || setUp.tunnel != null || fib != setUp.fib || probeMemory != setUp.probeMemory
                        || cgroup != setUp.cgroup || skbHashValid != setUp.skbHashValid || structureStamp != setUp.structureStamp
                        || !keepsMemoryOf(setUp)) {
            return false;
        }
        resetCounters();
        frames.clear();
        return true;
    }

    /**
     * Counts the changes of the packet, context, sk_buff and entry-register fields and of the XDP frame's tracking:
     * while it is what the set-up left, none of them can differ from the set-up's, and {@link #rearmQuickly} need
     * not compare them one by one. Every setter of those fields counts, whether or not the value changed.
     */
    private long structureStamp;

    /**
     * Whether one of the run's lists (included, held and reached maps, clones) may hold an entry: set where
     * each is added to, cleared where they are emptied, so {@link #rearmQuickly} need not ask each list.
     */
    private boolean listsUsed;

    private long exitValue;

    /** r0 at the run's end, for engines that hand it back through the state rather than as a boxed value. */
    public void setExitValue(long r0) {
        exitValue = r0;
    }

    public long exitValue() {
        return exitValue;
    }

    /**
     * The interpreter's arguments for the run's entry function: this state, call depth 0, no tail calls so far,
     * not entered by a tail call; its r1 and r2 are the run's entry registers (r3-r5 zero), put where every call
     * takes its registers from ({@link #callRegisters()}). One array per state, reused run after run; a nested run
     * has a state of its own, so the array is never in two runs at once.
     */
    public Object[] entryArguments() {
        setCallRegisters(entryR1, entryR2, 0, 0, 0);
        return entryArguments;
    }

    private final Object[] entryArguments = {this, 0, 0, Boolean.FALSE};

    /**
     * r1 to r5 of the interpreter's next call (a bpf-to-bpf call, a tail call or the run's entry), set by the
     * caller just before it and read by the callee as it starts, before it can make a call of its own.
     */
    public long[] callRegisters() {
        return callRegisters;
    }

    public void setCallRegisters(long r1, long r2, long r3, long r4, long r5) {
        callRegisters[0] = r1;
        callRegisters[1] = r2;
        callRegisters[2] = r3;
        callRegisters[3] = r4;
        callRegisters[4] = r5;
    }

    private final long[] callRegisters = new long[5];

    /** The registers r1 and r2 the run starts with. */
    public void setEntryRegisters(long r1, long r2) {
        entryR1 = r1;
        entryR2 = r2;
        structureStamp++;
    }

    public long entryR1() {
        return entryR1;
    }

    public long entryR2() {
        return entryR2;
    }

    public static RunState current() {
        RunState state = STACKS.get().current;
        if (state == null) {
            throw new IllegalStateException("no BPF program is running on this thread");
        }
        return state;
    }

    /** Makes this the run of the current thread until {@link #leave()}. Runs may nest (host calls). */
    public void enter() {
        StackHolder thread = STACKS.get();
        previous = thread.current;
        thread.current = this;
        enteredOn = thread;
    }

    public void leave() {
        enteredOn.current = previous;
        enteredOn = null;
        previous = null;
    }

    /** The thread {@link #enter()} made this the current run of, until {@link #leave()}. */
    private StackHolder enteredOn;

    /**
     * Lets the host stop a native run: native code polls {@code flag} and, when it is set, calls
     * {@link #pollHost()}, which runs {@code hostPoll} (the host's safepoint: it throws to end the run).
     */
    public void allowCancellation(CancelFlag flag, Runnable poll) {
        this.cancelFlag = flag;
        this.hostPoll = poll;
    }

    /** Address of the word native code polls, or 0 when the host cannot cancel this run. */
    public long cancelFlagAddress() {
        return cancelFlag == null ? 0 : cancelFlag.address();
    }

    /** Native code found the cancel flag set: clears it and lets the host act; throws when the run must stop. */
    public void pollHost() {
        if (cancelFlag == null) {
            return;
        }
        cancelFlag.clear();
        hostPoll.run();
    }

    public Arena arena() {
        if (arena == null) {
            arena = Arena.ofConfined();
        }
        return arena;
    }

    /**
     * {@code size} bytes of zeroed native memory, 16-byte aligned, that live until the run ends: the context and
     * packet of the run. A thread's outermost run takes them from the thread's run-memory block, reused run after
     * run (zeroed here, so nothing of an earlier run shows); a nested run, or one that outgrows the block, from
     * its own arena.
     */
    public long allocateRunMemory(long size) {
        long address = takeRunMemory(size);
        if (address == 0) {
            return arena().allocate(size, 16).address();
        }
        if (address < holder.frameStart + holder.frameBytes && holder.frameStart < address + size) {
            holder.frameStart = 0;
        }
        NativeMemory.fill(address, size, (byte) 0);
        return address;
    }

    /**
     * As {@link #allocateRunMemory}, for an XDP frame whose guest-visible bytes the run tracks through
     * {@link #exposeFrameBytes}: when the thread's last frame lies at the same place with the same size, only
     * the bytes its runs exposed are zeroed (the rest were zeroed once and no guest could reach them since).
     */
    public long allocateFrameMemory(long size) {
        long address = takeRunMemory(size);
        if (address == 0) {
            frameTracked = false;
            structureStamp++;
            return arena().allocate(size, 16).address();
        }
        if (address == holder.frameStart && size == holder.frameBytes) {
            if (holder.dirtyHigh > holder.dirtyLow) {
                NativeMemory.fill(holder.dirtyLow, holder.dirtyHigh - holder.dirtyLow, (byte) 0);
            }
        } else {
            NativeMemory.fill(address, size, (byte) 0);
            holder.frameStart = address;
            holder.frameBytes = size;
        }
        holder.dirtyLow = Long.MAX_VALUE;
        holder.dirtyHigh = 0;
        frameTracked = true;
        structureStamp++;
        return address;
    }

    /** Whether the run's XDP frame is the thread's tracked one (see {@link #allocateFrameMemory}). */
    private boolean frameTracked;

    /**
     * The guest may now read and write [low, high) of the run's XDP frame (its packet, metadata, or headroom or
     * tailroom a helper uncovered): the next run over the same frame zeroes them first.
     */
    public void exposeFrameBytes(long low, long high) {
        if (frameTracked) {
            holder.dirtyLow = Math.min(holder.dirtyLow, low);
            holder.dirtyHigh = Math.max(holder.dirtyHigh, high);
        }
    }

    /** {@code size} bytes (16-byte aligned) of the thread's run-memory block, not zeroed; 0 when the run has none left. */
    private long takeRunMemory(long size) {
        long aligned = (size + 15) & ~15L;
        if (holder != null) {
            long used = holder.runMemoryUsed;
            holder.runMemoryWanted = Math.max(holder.runMemoryWanted, used + aligned);
            if (used + aligned <= holder.runMemory.byteSize()) {
                holder.runMemoryUsed = used + aligned;
                return holder.runMemory.address() + used;
            }
        }
        return 0;
    }

    public MemoryRegions regions() {
        return regions;
    }

    public RunOptions options() {
        return options;
    }

    public PrintStream output() {
        return output;
    }

    public MapSet maps() {
        return maps;
    }

    /** The context the run belongs to: its program's. */
    public ContextRuntime runtime() {
        return runtime;
    }

    /**
     * The map of the run's context whose header is at {@code address}, or null: how helpers and tail calls turn
     * a register into a map. Maps of other contexts are never found, whatever address a program forged.
     */
    public BpfMap map(long address) {
        if (address == lastMapAddress && lastMap != null) {
            return lastMap;
        }
        BpfMap map = runtime.map(address);
        if (map != null) {
            hold(map.owner());
            lastMapAddress = address;
            lastMap = map;
        }
        return map;
    }

    /**
     * The map {@link #map} found last in this run, and its address: a helper call asks for its map twice (its cost,
     * then the call), and a loop asks for the same map each time. The run holds the map's module, so the address
     * names that map until the run ends.
     */
    private long lastMapAddress;
    private BpfMap lastMap;

    /**
     * Keeps a module's maps alive until the run ends: a helper may give the run memory of a map it named (a
     * reserved ring buffer record), which must not be freed under it when its module is dropped meanwhile.
     */
    private void hold(MapSet set) {
        if (set != maps && !includedMaps.contains(set) && !heldMaps.contains(set)) {
            heldMaps.add(set);
            listsUsed = true;
        }
    }

    /**
     * Lets the run touch the values of {@code map}, an inner map a map-of-maps lookup handed it, when the map
     * belongs to another module of the context (the run's own modules' maps are regions already).
     */
    public void reach(BpfMap map) {
        MapSet set = map.owner();
        if (set == maps || includedMaps.contains(set) || reachedMaps.contains(map)) {
            return;
        }
        reachedMaps.add(map);
        listsUsed = true;
        map.addRegions(regions);
    }

    /** Lets the run touch another object's maps, when a tail call leads into a program of that object. */
    public void includeMaps(MapSet other) {
        if (other == null || other == maps || includedMaps.contains(other)) {
            return;
        }
        includedMaps.add(other);
        listsUsed = true;
        other.addRegions(regions);
    }

    /** r10 of a frame in the interpreter's stack; frame 0 is the entry function. */
    public long frameTop(int depth) {
        return stackBase + STACK_BYTES - (long) depth * FRAME_SPACING;
    }

    /**
     * The interpreter enters a function at call depth {@code depth} whose frame is {@code size} bytes: the frame
     * becomes the deepest active one (in the table of active frames, when {@code tracked}) and is cleared, so a
     * read of a byte the function never wrote gives 0 (as on the native engine), never what an earlier run or
     * function left. Returns its r10.
     */
    public long enterFrame(int depth, int size, boolean tracked) {
        long top = frameTop(depth);
        NativeMemory.fill(top - size, size, (byte) 0);
        if (tracked) {
            frames.enter(depth, top, size);
        }
        return top;
    }

    /** The interpreter is back in the function at {@code depth} after a call: the callee's frames are gone. */
    public void resumeFrame(int depth) {
        frames.resume(depth);
    }

    /** The run's active stack frames; the native engine sets them from its machine stack during helper calls. */
    public StackFrames stackFrames() {
        return frames;
    }

    /** The call chain bpf_get_stackid and bpf_get_stack record. */
    public CallChain callChain() {
        return callChain;
    }

    public long remainingBudget() {
        return remaining;
    }

    /** For engines that count in a register or frame slot and write the count back at calls and exits. */
    public void setRemainingBudget(long value) {
        remaining = value;
    }

    public long executed() {
        return options.instructionLimit() - remaining;
    }

    public String budgetMessage() {
        return "execution budget of " + options.instructionLimit() + " instructions exhausted (" + executed() + " executed; raise it with --limit)";
    }

    /** The shared-ABI counter: tail calls done so far in this run. */
    public int sharedTailCalls() {
        return sharedTailCalls;
    }

    public void setSharedTailCalls(int count) {
        sharedTailCalls = count;
    }

    /** Notes the interpreter's tail call into {@code entry} (a call target) with {@code counter}, for the caller to enter. */
    public void setPendingTailCall(Object entry, int counter) {
        pendingTailCall = entry;
        pendingTailCallCounter = counter;
    }

    /** The tail call noted last and not yet taken, or null; taking it clears it. */
    public Object takePendingTailCall() {
        Object entry = pendingTailCall;
        pendingTailCall = null;
        return entry;
    }

    /** The counter the tail call taken last enters with. */
    public int pendingTailCallCounter() {
        return pendingTailCallCounter;
    }

    public long nextRandom() {
        if (random == null) {
            random = new SplittableRandom(options.seed());
        }
        return random.nextInt() & 0xffffffffL;
    }

    public long readClock() {
        clockNanos += 1000;
        return clockNanos;
    }

    /** The packet of a socket-buffer or XDP context, for LD_ABS/LD_IND and packet helpers. */
    public void setPacket(long start, long end) {
        this.packetStart = start;
        this.packetEnd = end;
        structureStamp++;
    }

    /** Where the packet's buffer (with its headroom) starts: the lowest address data may move to. */
    public void setPacketBufferStart(long address) {
        this.packetBufferStart = address;
        structureStamp++;
    }

    public long packetBufferStart() {
        return packetBufferStart;
    }

    /** The context r1 points to at entry, or 0 for raw memory. */
    public void setContextAddress(long address) {
        this.contextAddress = address;
        structureStamp++;
    }

    public long contextAddress() {
        return contextAddress;
    }

    public long packetStart() {
        return packetStart;
    }

    public long packetEnd() {
        return packetEnd;
    }

    public long packetLength() {
        return packetEnd - packetStart;
    }

    /**
     * Where a redirect helper last told the packet to go ({@code bpf_redirect}'s ifindex and flags, or
     * {@code bpf_redirect_map}'s map and key, with the devmap entry's ifindex, else 0): the kernel
     * keeps it per CPU for the driver to act on after the program returns; the run's result reports it.
     */
    public record Redirect(long ifindex, long flags, String map, long key, Neighbour neighbour) {
        /** bpf_redirect's target: an ifindex, no map. */
        public Redirect(long ifindex, long flags) {
            this(ifindex, flags, null, -1, null);
        }

        /** bpf_redirect_map's target: the map and key, with a devmap entry's ifindex. */
        public Redirect(long ifindex, long flags, String map, long key) {
            this(ifindex, flags, map, key, null);
        }

        /** bpf_redirect_neigh's target: an ifindex and the neighbour to resolve. */
        public Redirect(long ifindex, long flags, Neighbour neighbour) {
            this(ifindex, flags, null, -1, neighbour);
        }
    }

    /**
     * A bpf_redirect_neigh target's neighbour resolution: {@code family} 0 when the kernel resolves the packet's
     * own destination, else AF_INET (2) or AF_INET6 (10) with the next hop's address bytes (4 or 16).
     */
    public record Neighbour(int family, byte[] nexthop) {
    }

    /** A copy of the packet bpf_clone_redirect sent to {@code ifindex} (BPF_F_INGRESS in flags: received there). */
    public record Clone(long ifindex, long flags, byte[] packet) {
    }

    private final List<Clone> clones = new ArrayList<>();
    private TunnelInfo tunnel;
    private FibTable fib = FibTable.EMPTY;
    private ProbeMemory probeMemory = ProbeMemory.EMPTY;

    private String cgroup = CgroupPath.ROOT;

    /** The cgroup of the run's task and of its packet's socket (the context's bpf.Cgroup). */
    public String cgroup() {
        return cgroup;
    }

    public void setCgroup(String path) {
        this.cgroup = path;
    }

    /** The memory bpf_probe_read* sees (the context's bpf.ProbeMemory). */
    public ProbeMemory probeMemory() {
        return probeMemory;
    }

    public void setProbeMemory(ProbeMemory memory) {
        this.probeMemory = memory;
    }

    /** The devices, routes and neighbours bpf_fib_lookup sees (the context's bpf.Fib). */
    public FibTable fib() {
        return fib;
    }

    public void setFib(FibTable table) {
        this.fib = table;
    }

    /** The sk_buff's tunnel metadata: received (given by the host) or set by the program; null for none. */
    public TunnelInfo tunnel() {
        return tunnel;
    }

    /** A copy of {@code info} becomes the run's, so the run's changes stay out of the host's value. */
    public void setTunnel(TunnelInfo info) {
        this.tunnel = info == null ? null : info.copy();
    }

    public void addClone(Clone clone) {
        clones.add(clone);
        listsUsed = true;
    }

    /** The clones the run sent, in order. */
    public List<Clone> clones() {
        return clones;
    }

    private Redirect redirect;
    private long packetBufferEnd;
    private long packetMeta;

    /** Where an XDP packet may grow to (xdp_adjust_tail): the frame's end less its tailroom. */
    public void setPacketBufferEnd(long address) {
        this.packetBufferEnd = address;
        structureStamp++;
    }

    public long packetBufferEnd() {
        return packetBufferEnd;
    }

    /** Where an XDP packet's metadata starts (data_meta; the packet's start when there is none), or 0. */
    public void setPacketMeta(long address) {
        this.packetMeta = address;
        structureStamp++;
    }

    public long packetMeta() {
        return packetMeta;
    }
    private boolean skbContext;
    private boolean skbMacHeader;
    private boolean skbHashValid;

    public void setRedirect(Redirect target) {
        this.redirect = target;
    }

    /** The last redirect target the run set, or null. */
    public Redirect redirect() {
        return redirect;
    }

    /**
     * Marks the context as a struct __sk_buff (the skb helpers write fields of it); {@code macHeader}: the packet
     * starts with the MAC header (tc), not the network header (socket filters).
     */
    public void setSkbContext(boolean macHeader) {
        this.skbContext = true;
        this.skbMacHeader = macHeader;
        this.skbNetworkOffset = macHeader ? 14 : 0;
        structureStamp++;
    }

    private long skbNetworkOffset;

    /** Where the network header starts in an sk_buff's packet (bpf_skb_change_head pushes it further). */
    public long skbNetworkOffset() {
        return skbNetworkOffset;
    }

    public void setSkbNetworkOffset(long offset) {
        this.skbNetworkOffset = offset;
        structureStamp++;
    }

    public boolean skbHasMacHeader() {
        return skbMacHeader;
    }

    public boolean isSkbContext() {
        return skbContext;
    }

    /** Whether skb->hash holds a hash (computed or set: the kernel's sw_hash/l4_hash), so get_hash_recalc keeps it. */
    public boolean skbHashValid() {
        return skbHashValid;
    }

    public void setSkbHashValid(boolean valid) {
        this.skbHashValid = valid;
    }

    @Override
    public void close() {
        if (pooledStack) {
            holder.inUse = false;
        }
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }
}
