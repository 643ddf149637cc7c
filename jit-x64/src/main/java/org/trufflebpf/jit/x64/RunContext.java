package org.trufflebpf.jit.x64;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;

/**
 * The per-run block of native memory that r12 points to while a program runs: the stack pointer to unwind to
 * on an error, the error slot the runtime stubs fill, the call depth, and the memory regions checked mode
 * allows besides the BPF stack. Layout (8-byte fields): see the offsets below.
 */
final class RunContext {
    static final int SAVED_RSP = 0;
    static final int ERROR_CODE = 8;
    /** Return address of the stub call that failed: it identifies the faulting instruction. */
    static final int FAULT_RIP = 16;
    static final int FAULT_ADDRESS = 24;
    static final int CALL_DEPTH = 32;
    /** Instructions the run may still execute; blocks subtract their length before they start. */
    static final int BUDGET_REMAINING = 40;
    /** The tail-call counter of the shared-counter ABI (one per run). */
    static final int TAIL_CALL_COUNT = 48;
    /** Non-zero when this run uses the shared counter (code compiled for {@code PER_RUN} reads it). */
    static final int SHARED_COUNTER_RUN = 56;
    /** Address of a C function (address, size, write) → non-zero if allowed, for accesses the table misses; or 0. */
    static final int SLOW_CHECK = 64;
    /** The packet LD_ABS/LD_IND read: start address and length. */
    static final int PACKET_START = 72;
    static final int PACKET_LENGTH = 80;
    /** rbp and stack size of the BPF function making the current helper call (checked mode), for {@link NativeStackFrames}. */
    static final int HELPER_CALLER_RBP = 88;
    static final int HELPER_CALLER_STACK = 96;
    static final int REGION_COUNT = 104;
    /** r10 and frame size of the function whose access the check stub refused (checked mode), to describe it. */
    static final int FAULT_FRAME_TOP = 112;
    static final int FAULT_FRAME_SIZE = 120;
    /**
     * (r10, frame size) of each caller in the current call chain, indexed by call depth: checked code records
     * its own frame here before each bpf-to-bpf call, so the check stub knows every active frame's exact extent
     * (the machine stack between frames holds saved host registers and return addresses).
     */
    static final int FRAMES = 128;
    static final int FRAME_BYTES = 16;
    /** (start, end exclusive, writable) triples of 8-byte fields. */
    static final int REGIONS = FRAMES + FRAME_BYTES * BpfToX86.MAX_FRAMES;
    static final int REGION_BYTES = 24;

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

    /** The run context of the native run in progress on this thread, for helpers that fail. */
    private static final ThreadLocal<RunContext> CURRENT = new ThreadLocal<>();

    private final MemorySegment block;
    private final MemoryAccessPolicy fallback;
    /** Room for regions a helper adds during the run; any beyond it are left to the slow check, which knows them. */
    private static final int SPARE_REGIONS = 8;
    private final int regionCapacity;
    private long regionsVersion;

    /** The upcall the check stubs make when a run has a fallback policy. */
    private static final MemorySegment SLOW_CHECK_STUB;

    static {
        try {
            MethodHandle check = MethodHandles.lookup().findStatic(RunContext.class, "slowCheck",
                            MethodType.methodType(long.class, long.class, long.class, long.class));
            SLOW_CHECK_STUB = Linker.nativeLinker().upcallStub(check, FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                            Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static long slowCheck(long address, long size, long write) {
        try {
            RunContext current = CURRENT.get();
            return current != null && current.fallback != null && current.fallback.allows(address, size, write != 0) ? 1 : 0;
        } catch (Throwable t) {
            return 0; // an exception must not cross native frames: treat as refused
        }
    }

    /** Each region is a (start address, byte length, writable 0/1) triple. */
    RunContext(Arena arena, List<long[]> regions, RunSettings settings) {
        regionCapacity = regions.size() + SPARE_REGIONS;
        block = arena.allocate(REGIONS + (long) REGION_BYTES * regionCapacity, 16);
        block.fill((byte) 0);
        block.set(JAVA_LONG, SHARED_COUNTER_RUN, settings.sharedTailCallCounter() ? 1 : 0);
        this.fallback = settings.fallback();
        block.set(JAVA_LONG, SLOW_CHECK, fallback == null ? 0 : SLOW_CHECK_STUB.address());
        block.set(JAVA_LONG, BUDGET_REMAINING, settings.instructionLimit());
        block.set(JAVA_LONG, PACKET_START, settings.packetStart());
        block.set(JAVA_LONG, PACKET_LENGTH, settings.packetLength());
        regionsVersion = fallback == null ? 0 : fallback.regionsVersion();
        writeRegions(regions);
    }

    private void writeRegions(List<long[]> regions) {
        int n = Math.min(regions.size(), regionCapacity);
        for (int i = 0; i < n; i++) {
            long start = regions.get(i)[0];
            long at = REGIONS + (long) REGION_BYTES * i;
            block.set(JAVA_LONG, at, start);
            block.set(JAVA_LONG, at + 8, start + regions.get(i)[1]);
            block.set(JAVA_LONG, at + 16, regions.get(i)[2]);
        }
        block.set(JAVA_LONG, REGION_COUNT, n);
    }

    /**
     * After a helper returned: if it changed the run's regions (xdp_adjust_head removes the old packet), the
     * table native code checks first must follow, or it would still allow the memory that left the run.
     */
    static void refreshRegionsAfterHelper() {
        RunContext current = CURRENT.get();
        if (current == null || current.fallback == null) {
            return;
        }
        long version = current.fallback.regionsVersion();
        if (version != current.regionsVersion) {
            List<long[]> now = current.fallback.regions();
            if (now != null) {
                current.writeRegions(now);
                current.regionsVersion = version;
            }
        }
    }

    /** Makes this the current thread's run context; returns the previous one (runs may nest). */
    RunContext enter() {
        RunContext previous = CURRENT.get();
        CURRENT.set(this);
        return previous;
    }

    static void leave(RunContext previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }

    /** Called by a failing helper: the native code sees the error once the helper returns. */
    static void markHelperFailure() {
        RunContext current = CURRENT.get();
        if (current != null && current.errorCode() == ERROR_NONE) {
            current.block.set(JAVA_LONG, ERROR_CODE, ERROR_HELPER);
        }
    }

    long address() {
        return block.address();
    }

    int errorCode() {
        return (int) block.get(JAVA_LONG, ERROR_CODE);
    }

    long faultReturnAddress() {
        return block.get(JAVA_LONG, FAULT_RIP);
    }

    static RunContext current() {
        return CURRENT.get();
    }

    long helperCallerRbp() {
        return block.get(JAVA_LONG, HELPER_CALLER_RBP);
    }

    long helperCallerStack() {
        return block.get(JAVA_LONG, HELPER_CALLER_STACK);
    }

    long callDepth() {
        return block.get(JAVA_LONG, CALL_DEPTH);
    }

    /** r10 of the caller at {@code depth} (below the current call depth). */
    long frameTop(int depth) {
        return block.get(JAVA_LONG, FRAMES + (long) FRAME_BYTES * depth);
    }

    long frameSize(int depth) {
        return block.get(JAVA_LONG, FRAMES + (long) FRAME_BYTES * depth + 8);
    }

    long faultFrameTop() {
        return block.get(JAVA_LONG, FAULT_FRAME_TOP);
    }

    long faultFrameSize() {
        return block.get(JAVA_LONG, FAULT_FRAME_SIZE);
    }

    /** After a helper that moved the packet (xdp_adjust_head): LD_ABS/LD_IND read the packet as it is now. */
    void setPacket(long start, long length) {
        block.set(JAVA_LONG, PACKET_START, start);
        block.set(JAVA_LONG, PACKET_LENGTH, length);
    }

    long budgetRemaining() {
        return block.get(JAVA_LONG, BUDGET_REMAINING);
    }

    /** For helper upcalls, which charge their cost to the budget native code counts here. */
    void setBudgetRemaining(long value) {
        block.set(JAVA_LONG, BUDGET_REMAINING, value);
    }

    long faultAddress() {
        return block.get(JAVA_LONG, FAULT_ADDRESS);
    }
}
