package org.trufflebpf.jit.x64;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import org.trufflebpf.runtime.CachedThreadLocal;
import org.trufflebpf.runtime.GracePeriod;
import org.trufflebpf.runtime.MemoryRegions;
import org.trufflebpf.runtime.NativeMemory;
import org.trufflebpf.runtime.RepeatedInput;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.StackFrames;

/**
 * The per-run block of native memory that r12 points to while a program runs: the stack pointer to unwind to
 * on an error, the error slot the runtime stubs fill, the call depth, and the memory regions checked mode
 * allows besides the BPF stack. Layout (8-byte fields): see the offsets below.
 */
final class NativeRunBlock {
    static final int SAVED_RSP = 0;
    static final int ERROR_CODE = 8;
    /** Return address of the stub call that failed: it identifies the faulting instruction. */
    static final int FAULT_RIP = 16;
    static final int FAULT_ADDRESS = 24;
    static final int CALL_DEPTH = 32;
    /**
     * Instructions the run may still execute: the value code compiled with a budget starts from and ends with,
     * and holds here around each helper call. In between, blocks subtract their length from
     * {@link Registers#BUDGET} before they start.
     */
    static final int BUDGET_REMAINING = 40;
    /** The tail-call counter of the shared-counter ABI (one per run). */
    static final int TAIL_CALL_COUNT = 48;
    /** Address of a C function (address, size, write) → non-zero if allowed, for accesses the table misses. */
    static final int SLOW_CHECK = 56;
    /** The packet LD_ABS/LD_IND read: start address and length. */
    static final int PACKET_START = 64;
    static final int PACKET_LENGTH = 72;
    /** rbp and stack size of the BPF function making the current helper call (checked mode), for {@link NativeStackFrames}. */
    static final int HELPER_CALLER_RBP = 80;
    static final int HELPER_CALLER_STACK = HELPER_CALLER_RBP + 8;
    static final int REGION_COUNT = 96;
    /**
     * Address of the run's cancel flag (a {@link org.trufflebpf.runtime.CancelFlag} word, or a word that is never
     * set): checked code reads it at every function entry and loop head and calls the host when it is set.
     */
    static final int CANCEL_FLAG = 104;
    /**
     * The lowest the stack pointer may be before a bpf-to-bpf call (0: not known, unchecked): below it the
     * thread's stack would not keep the JVM's guard and shadow zones free (see {@link ThreadStack}).
     */
    static final int STACK_LIMIT = 112;
    /**
     * The module (map set id) whose code runs: checked code compares its own at its entry and, when the run
     * came from another module's code, calls the host to add its module's maps to the run (see
     * {@link #enterModule}).
     */
    static final int CURRENT_MODULE = 120;
    /** r10 and frame size of the function whose access the check stub refused (checked mode), to describe it (a frame pair, as in {@link #FRAMES}). */
    static final int FAULT_FRAME_TOP = 128;
    static final int FAULT_FRAME_SIZE = FAULT_FRAME_TOP + 8;
    /**
     * The hot region that checked code tests inline before calling the check stub: the run's input memory or
     * packet. An access of 2^k bytes at address a passes when {@code a - HOT_BASE} (unsigned) is below
     * {@code HOT_READ_LIMITS[k]} (or {@code HOT_WRITE_LIMITS[k]}): the region's size less 2^k, plus one, or 0 for
     * none. One unsigned compare thus refuses addresses below the region and accesses that end past it.
     */
    static final int HOT_BASE = 144;
    static final int HOT_READ_LIMITS = HOT_BASE + 8;
    static final int HOT_WRITE_LIMITS = HOT_READ_LIMITS + 4 * 8;
    /**
     * rbp of the function making the current call to bpf_get_stackid or bpf_get_stack (or any callx), and the
     * call's instruction index: where {@link NativeProgram#callChain} starts its walk up the machine stack.
     */
    static final int STACK_SITE_RBP = HOT_WRITE_LIMITS + 4 * 8;
    static final int STACK_SITE = STACK_SITE_RBP + 8;
    /**
     * (r10, frame size) of each caller in the current call chain, indexed by call depth: checked code records
     * its own frame here before each bpf-to-bpf call, so the check stub knows every active frame's exact extent
     * (the machine stack between frames holds saved host registers and return addresses).
     */
    static final int FRAMES = STACK_SITE + 8;
    static final int FRAME_BYTES = 16;
    /** (start, end exclusive, writable) triples of 8-byte fields. */
    static final int REGIONS = FRAMES + FRAME_BYTES * BpfToX86.MAX_FRAMES;
    static final int REGION_BYTES = 24;
    /** The fields {@link #start} clears: every one of the header's that it does not set itself. */
    private static final int[] ZEROED_AT_START = {SAVED_RSP, ERROR_CODE, FAULT_RIP, FAULT_ADDRESS, CALL_DEPTH, HELPER_CALLER_RBP, HELPER_CALLER_STACK,
                    CURRENT_MODULE, FAULT_FRAME_TOP, FAULT_FRAME_SIZE, STACK_SITE_RBP, STACK_SITE};

    static final int ERROR_NONE = 0;
    static final int ERROR_MEMORY = 1;
    static final int ERROR_UNKNOWN_HELPER = 2;
    static final int ERROR_CALL_DEPTH = 3;
    static final int ERROR_NOT_PROG_ARRAY = 4;
    static final int ERROR_BUDGET = 5;
    /** Set by a helper that failed (from Java); checked-mode code stops right after the call. */
    static final int ERROR_HELPER = 6;
    /** An atomic access at an address that is not a multiple of its size (the address in FAULT_ADDRESS). */
    static final int ERROR_MISALIGNED_ATOMIC = 7;
    /** The host stopped the run (close, interrupt) when the code polled; the host's exception is in {@link #stopCause}. */
    static final int ERROR_CANCELLED = 8;
    /** A bpf-to-bpf call would have taken the stack below {@link #STACK_LIMIT}. */
    static final int ERROR_STACK_OVERFLOW = 9;

    /**
     * What a thread holds: its pooled block, and the block of the native run in progress on it (for the helper
     * upcalls). One thread-local for both, and a run reaches it through its block, so entering and leaving a
     * run look up no thread-local.
     */
    private static final class OfThread {
        NativeRunBlock pooled;
        NativeRunBlock current;
        /** The first helper failure on this thread since the last {@link NativeRunBlock#takeFailure()}. */
        Throwable failure;
        private long callLimit;
        private boolean callLimitKnown;

        /** {@link ThreadStack#callLimit()}, asked once for a platform thread and at each run of a virtual one. */
        long callLimit() {
            if (callLimitKnown) {
                return callLimit;
            }
            long limit = ThreadStack.callLimit();
            if (!Thread.currentThread().isVirtual()) {
                callLimit = limit;
                callLimitKnown = true;
            }
            return limit;
        }
    }

    private static final CachedThreadLocal<OfThread> THREAD = new CachedThreadLocal<>(OfThread::new);
    /** The thread of the run holding the block. */
    private OfThread ofThread;

    /** The block's memory: held so that it lives as long as this object; accessed through {@link #base}. */
    private final MemorySegment block;
    private final long base;
    private RunState state;
    /** Room for regions a helper adds during the run; any beyond it are left to the slow check, which knows them. */
    static final int SPARE_REGIONS = 8;
    private final int regionCapacity;
    /** The version of the state's regions that the table holds. */
    private long regionsVersion;

    /** The upcall the check stubs make for accesses the region table misses. */
    private static final MemorySegment SLOW_CHECK_STUB;
    /** The upcall the host-poll stub makes when the cancel flag is set. */
    private static final MemorySegment HOST_POLL_STUB;
    /** The upcall the module-entry stub makes when a run enters another module's code. */
    private static final MemorySegment ENTER_MODULE_STUB;
    /** The cancel flag of runs the host cannot cancel: never set. */
    private static final MemorySegment NEVER_SET = Arena.global().allocate(JAVA_LONG);

    static {
        try {
            MethodHandle check = MethodHandles.lookup().findStatic(NativeRunBlock.class, "slowCheck",
                            MethodType.methodType(long.class, long.class, long.class, long.class));
            SLOW_CHECK_STUB = Linker.nativeLinker().upcallStub(check, FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                            Arena.global());
            MethodHandle poll = MethodHandles.lookup().findStatic(NativeRunBlock.class, "pollHost", MethodType.methodType(void.class));
            HOST_POLL_STUB = Linker.nativeLinker().upcallStub(poll, FunctionDescriptor.ofVoid(), Arena.global());
            MethodHandle enter = MethodHandles.lookup().findStatic(NativeRunBlock.class, "enterModule", MethodType.methodType(void.class, long.class));
            ENTER_MODULE_STUB = Linker.nativeLinker().upcallStub(enter, FunctionDescriptor.ofVoid(JAVA_LONG), Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        NEVER_SET.fill((byte) 0);
    }

    /** Why the host stopped the run (its cancel or interrupt exception), rethrown once the native frames are gone. */
    private Throwable stopCause;

    /**
     * Native code saw the cancel flag set: the host processes what it was asked (its safepoint). When that
     * throws, the exception is kept and the run stops with {@link #ERROR_CANCELLED} (an exception must not
     * unwind native frames); otherwise the run goes on.
     */
    private static void pollHost() {
        NativeRunBlock current = THREAD.get().current;
        try {
            if (current != null) {
                current.state.pollHost();
            }
        } catch (Throwable t) {
            if (current != null) {
                current.stopCause = t;
                current.put(ERROR_CODE, ERROR_CANCELLED);
            }
        }
    }

    /**
     * A tail call led from one module's code into another's ({@code codeAddress} lies in the callee): the run may
     * now touch the callee module's maps, as in the interpreter, which adds them at the tail call. The region
     * table the check stubs read first follows.
     */
    private static void enterModule(long codeAddress) {
        try {
            NativeRunBlock current = THREAD.get().current;
            NativeProgram callee = NativeProgram.containing(codeAddress);
            // A slot only ever holds a program of its own context; should code of another context be entered
            // anyway, its maps stay out of reach.
            if (current == null || callee == null || callee.moduleId() == 0 || callee.maps().runtime() != current.state.runtime()) {
                return;
            }
            current.state.includeMaps(callee.maps());
            current.setModule(callee.moduleId());
            current.followRunState();
        } catch (Throwable t) {
            // An exception must not cross native frames: the callee's accesses to its maps are refused instead.
        }
    }

    static long enterModuleUpcall() {
        return ENTER_MODULE_STUB.address();
    }

    void setModule(long id) {
        put(CURRENT_MODULE, id);
    }

    static long hostPollUpcall() {
        return HOST_POLL_STUB.address();
    }

    Throwable stopCause() {
        return stopCause;
    }

    private static long slowCheck(long address, long size, long write) {
        try {
            NativeRunBlock current = THREAD.get().current;
            return current != null && current.state.regions().allows(address, size, write != 0) ? 1 : 0;
        } catch (Throwable t) {
            return 0; // an exception must not cross native frames: treat as refused
        }
    }

    /**
     * The block of a run inside {@code state}: its budget, shared tail-call count, packet and memory regions as
     * they are now (the table native code checks first; the slow check asks the state itself).
     */
    private NativeRunBlock(MemorySegment block, int regionCapacity) {
        this.block = block;
        this.base = block.address();
        this.regionCapacity = regionCapacity;
    }

    /** Size of a block whose region table holds {@code regionCapacity} entries, with the repeat loop's descriptor after it. */
    private static long bytesFor(int regionCapacity) {
        return descriptorOffset(regionCapacity) + RepeatLoop.BYTES;
    }

    /** Where the descriptor of the block's native repeat loop lies ({@link RepeatLoop}): after the region table. */
    private static long descriptorOffset(int regionCapacity) {
        return REGIONS + (long) REGION_BYTES * regionCapacity;
    }

    /**
     * Runs the native repeat loop in this block ({@link RepeatLoop}): {@code count} runs of the code whose entry
     * trampoline is at {@code trampoline}, each from the input and context {@code again} keeps, with
     * {@code budget} instructions; stops early after a failed run or once the word at {@code cancelFlag} (0: the
     * host cannot cancel) is set. Returns the runs made; the last one's r0 is {@link #repeatedR0()}, its error
     * the block's as after a single run.
     */
    long repeat(long trampoline, long r1, long r2, RepeatedInput again, long count, long module, long budget, long cancelFlag) {
        long d = descriptorOffset(regionCapacity);
        put(d + RepeatLoop.TRAMPOLINE, trampoline);
        put(d + RepeatLoop.R1, r1);
        put(d + RepeatLoop.R2, r2);
        put(d + RepeatLoop.BLOCK, base);
        put(d + RepeatLoop.COUNT, count);
        put(d + RepeatLoop.DONE, 0);
        put(d + RepeatLoop.R0, 0);
        put(d + RepeatLoop.INPUT_IMAGE, again.inputImage());
        put(d + RepeatLoop.INPUT_ADDRESS, again.inputAddress());
        put(d + RepeatLoop.INPUT_LENGTH, again.inputLength());
        put(d + RepeatLoop.CONTEXT_IMAGE, again.contextImage());
        put(d + RepeatLoop.CONTEXT_ADDRESS, again.contextAddress());
        put(d + RepeatLoop.CONTEXT_LENGTH, again.contextLength());
        put(d + RepeatLoop.BUDGET, budget);
        put(d + RepeatLoop.MODULE, module);
        put(d + RepeatLoop.CANCEL_FLAG, cancelFlag != 0 ? cancelFlag : NEVER_SET.address());
        RepeatLoop.run(base + d);
        return read(d + RepeatLoop.DONE);
    }

    /** r0 of the last run of the last {@link #repeat}. */
    long repeatedR0() {
        return read(descriptorOffset(regionCapacity) + RepeatLoop.R0);
    }

    /**
     * Each thread's block, reused run after run so that a run allocates no native memory; a run nested in
     * another on the same thread (a host call) gets a block of its own.
     */
    /** Whether the pooled block is in a run now, and the arena of a block that is not pooled. */
    private boolean inUse;
    private Arena ownArena;

    /**
     * The block of a run inside {@code state}: its budget, shared tail-call count, packet and memory regions as
     * they are now (the table native code checks first; the slow check asks the state itself). Give it back
     * with {@link #release()}.
     */
    static NativeRunBlock acquire(RunState state, boolean critical) {
        int needed = state.regions().table().count() + SPARE_REGIONS;
        OfThread thread = THREAD.get();
        NativeRunBlock pooled = thread.pooled;
        NativeRunBlock chosen;
        if (pooled != null && pooled.inUse) {
            Arena arena = Arena.ofConfined();
            chosen = new NativeRunBlock(arena.allocate(bytesFor(needed), 16), needed);
            chosen.ownArena = arena;
        } else {
            if (pooled == null || pooled.regionCapacity < needed) {
                // Freed by the GC once no thread holds it: only a finished run's block is ever replaced.
                int capacity = Math.max(needed, 32);
                pooled = new NativeRunBlock(Arena.ofAuto().allocate(bytesFor(capacity), 16), capacity);
                thread.pooled = pooled;
            }
            chosen = pooled;
        }
        chosen.inUse = true;
        chosen.ofThread = thread;
        chosen.start(state, critical);
        return chosen;
    }

    /** The run is over: the pooled block is free for the thread's next run, another block is freed. */
    void release() {
        state = null;
        stopCause = null;
        inUse = false;
        if (ownArena != null) {
            ownArena.close();
        }
    }

    /**
     * {@code critical}: the run is a critical downcall, which must not call Java: no slow check (the table holds
     * every region, as such code adds none, so a miss is a refusal) and a cancel flag that is never set.
     */
    private void start(RunState runState, boolean critical) {
        this.state = runState;
        // The header's fields that nothing below sets start at 0. The frame table and the region table are written
        // before they are read (call depth, region count); the hot region is the table's, written with it (see
        // writeRegions).
        for (int field : ZEROED_AT_START) {
            put(field, 0);
        }
        if (critical && runState.regions().table().count() > regionCapacity) {
            throw new IllegalStateException("a critical run's region table must hold every region");
        }
        put(SLOW_CHECK, critical ? 0 : SLOW_CHECK_STUB.address());
        put(BUDGET_REMAINING, runState.remainingBudget());
        put(TAIL_CALL_COUNT, runState.sharedTailCalls());
        put(PACKET_START, runState.packetStart());
        put(PACKET_LENGTH, runState.packetLength());
        regionsVersion = runState.regions().version();
        put(CANCEL_FLAG, runState.cancelFlagAddress() != 0 && !critical ? runState.cancelFlagAddress() : NEVER_SET.address());
        put(STACK_LIMIT, ofThread.callLimit());
        writeRegions(runState.regions().table());
    }

    /**
     * The table whose regions the block's entries hold now. A table never changes (a change makes a new one), so
     * a run over the same table as the last one of this block (the same maps, context and input addresses, as
     * run after run on a thread) finds its entries and its hot region written already; the count, which
     * {@link #start} clears, is written each time.
     */
    private MemoryRegions.Table writtenTable;

    private void writeRegions(MemoryRegions.Table regions) {
        int total = regions.count();
        int n = Math.min(total, regionCapacity);
        if (regions != writtenTable) {
            for (int i = 0; i < n; i++) {
                long at = REGIONS + (long) REGION_BYTES * i;
                put(at, regions.base(i));
                put(at + 8, regions.base(i) + regions.size(i));
                put(at + 16, regions.writable(i) ? 1 : 0);
            }
            writeHotRegion(regions, total);
            writtenTable = regions;
        }
        put(REGION_COUNT, n);
    }

    /** The newest input-memory or packet region as the inline check's hot region (none: nothing passes inline). */
    private void writeHotRegion(MemoryRegions.Table regions, int total) {
        int hot = -1;
        for (int i = total - 1; i >= 0 && hot < 0; i--) {
            if (regions.isInput(i)) {
                hot = i;
            }
        }
        long base = hot < 0 ? 0 : regions.base(hot);
        long size = hot < 0 ? 0 : regions.size(hot);
        boolean writable = hot >= 0 && regions.writable(hot);
        put(HOT_BASE, base);
        for (int k = 0; k < 4; k++) {
            long limit = Math.max(0, size - (1L << k) + 1);
            put(HOT_READ_LIMITS + 8L * k, limit);
            put(HOT_WRITE_LIMITS + 8L * k, writable ? limit : 0);
        }
    }

    void followRunState() {
        put(PACKET_START, state.packetStart());
        put(PACKET_LENGTH, state.packetLength());
        long version = state.regions().version();
        if (version != regionsVersion) {
            writeRegions(state.regions().table());
            regionsVersion = version;
        }
    }

    void writeBackToRunState() {
        state.setRemainingBudget(read(BUDGET_REMAINING));
        state.setSharedTailCalls((int) read(TAIL_CALL_COUNT));
    }

    RunState state() {
        return state;
    }

    /** The grace period record the block's run is in, and its id there, between the two calls below. */
    private GracePeriod.ThreadRuns gracePeriodRuns;
    private long runId;

    /** The run enters {@code runs}' grace period: nothing deferred there is freed until {@link #exitGracePeriod}. */
    void enterGracePeriod(GracePeriod.ThreadRuns runs) {
        gracePeriodRuns = runs;
        runId = runs.enter();
    }

    void exitGracePeriod() {
        gracePeriodRuns.exit(runId);
        gracePeriodRuns = null;
    }

    /** Makes this the current thread's run block; returns the previous one (runs may nest). */
    NativeRunBlock enter() {
        NativeRunBlock previous = ofThread.current;
        ofThread.current = this;
        return previous;
    }

    void leave(NativeRunBlock previous) {
        ofThread.current = previous;
    }

    /**
     * Called by a failing helper with what it threw: the native code sees the error once the helper returns, and
     * the run reports the failure ({@link #takeFailure()}).
     */
    static void markHelperFailure(Throwable failure) {
        OfThread thread = THREAD.get();
        if (thread.failure == null) {
            thread.failure = failure;
        }
        NativeRunBlock current = thread.current;
        if (current != null && current.errorCode() == ERROR_NONE) {
            current.put(ERROR_CODE, ERROR_HELPER);
        }
    }

    /** The first helper failure on this block's thread since the last call, cleared. */
    Throwable takeFailure() {
        Throwable failure = ofThread.failure;
        ofThread.failure = null;
        return failure;
    }

    long address() {
        return base;
    }

    /**
     * Writes the 8-byte field at {@code offset}. Fields are read and written by absolute address, without the
     * segment's own checks (offsets are the constants above, within the block, and {@link #block} keeps it alive).
     */
    private void put(long offset, long value) {
        NativeMemory.writeU64(base + offset, value);
    }

    /** The 8-byte field at {@code offset}, one of the offsets above. */
    long read(long offset) {
        return NativeMemory.readU64(base + offset);
    }

    int errorCode() {
        return (int) read(ERROR_CODE);
    }

    static NativeRunBlock current() {
        return THREAD.get().current;
    }

    /**
     * Enters the frame whose (r10, frame size) pair starts at {@code offset} (a frame table entry, the helper
     * caller's or the refused access's) into {@code frames} at call depth {@code depth}.
     */
    void enterFrame(StackFrames frames, int depth, int offset) {
        frames.enter(depth, read(offset), (int) read(offset + 8));
    }

    /** Offset of the frame table entry of the caller at {@code depth} (below the current call depth). */
    static int frameEntry(int depth) {
        return FRAMES + FRAME_BYTES * depth;
    }

    /** For helper upcalls, which charge their cost to the budget native code counts here. */
    void setBudgetRemaining(long value) {
        put(BUDGET_REMAINING, value);
    }
}
