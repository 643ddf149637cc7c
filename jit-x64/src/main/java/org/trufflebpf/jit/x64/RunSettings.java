package org.trufflebpf.jit.x64;

import java.lang.foreign.MemorySegment;
import java.util.List;

import org.trufflebpf.runtime.RunOptions;

/**
 * What one native run gets besides r1 and r2.
 *
 * @param accessible            memory checked code may touch besides its stacks (writes only where the
 *                              segment is not read-only)
 * @param instructionLimit      the execution budget, for code compiled with one
 * @param sharedTailCallCounter the run's tail-call counter ABI (for code compiled {@code PER_RUN})
 * @param fallback              asked about accesses outside the stacks and {@code accessible}, or null
 * @param packetStart           the packet LD_ABS/LD_IND read, or 0
 * @param packetLength          its length in bytes
 * @param cancelFlag            address of the word the code polls for the host's requests (see
 *                              {@link org.trufflebpf.runtime.CancelFlag}), or 0 when nothing can cancel the run
 */
public record RunSettings(List<MemorySegment> accessible, long instructionLimit, boolean sharedTailCallCounter, MemoryAccessPolicy fallback,
                long packetStart, long packetLength, long cancelFlag) {

    /** The interpreter's default execution budget. */
    public static final long DEFAULT_INSTRUCTION_LIMIT = RunOptions.DEFAULT_INSTRUCTION_LIMIT;

    public RunSettings {
        accessible = List.copyOf(accessible);
    }

    public static RunSettings of(List<MemorySegment> accessible) {
        return new RunSettings(accessible, DEFAULT_INSTRUCTION_LIMIT, false, null, 0, 0, 0);
    }

    public RunSettings withInstructionLimit(long limit) {
        return new RunSettings(accessible, limit, sharedTailCallCounter, fallback, packetStart, packetLength, cancelFlag);
    }

    public RunSettings withSharedTailCallCounter(boolean shared) {
        return new RunSettings(accessible, instructionLimit, shared, fallback, packetStart, packetLength, cancelFlag);
    }

    public RunSettings withFallback(MemoryAccessPolicy policy) {
        return new RunSettings(accessible, instructionLimit, sharedTailCallCounter, policy, packetStart, packetLength, cancelFlag);
    }

    public RunSettings withCancelFlag(long address) {
        return new RunSettings(accessible, instructionLimit, sharedTailCallCounter, fallback, packetStart, packetLength, address);
    }

    public RunSettings withPacket(long start, long length) {
        return new RunSettings(accessible, instructionLimit, sharedTailCallCounter, fallback, start, length, cancelFlag);
    }
}
