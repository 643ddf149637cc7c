package org.trufflebpf.runtime;

import java.util.Arrays;

import org.trufflebpf.runtime.maps.Errno;
import org.trufflebpf.runtime.maps.StackTraceMap;

/**
 * bpf_get_stackid and bpf_get_stack over a deterministic model of the stack: the BPF call chain at the call
 * ({@link CallChain}), instruction indexes as u64 ips, innermost first. The flags, the skip count, the depth
 * limits and the errors are those of kernel/bpf/stackmap.c. A run belongs to no user process, so a user stack
 * ({@code BPF_F_USER_STACK}) is empty, as the kernel finds it for a kernel thread: get_stackid answers -EFAULT,
 * get_stack copies nothing.
 */
final class StackHelpers {
    /** bpf_get_stack's flag for user stacks of build ids and offsets (struct bpf_stack_build_id, 32 bytes each). */
    private static final long BPF_F_USER_BUILD_ID = 1 << 11;
    private static final int BUILD_ID_ENTRY_BYTES = 32;
    /** The kernel's sysctl_perf_event_max_stack default: no stack is walked deeper. */
    private static final int MAX_STACK = 127;

    private StackHelpers() {
    }

    /** The chain the flags ask for: the BPF call chain, or the (empty) user stack. */
    private static long[] trace(RunState state, long flags) {
        return (flags & StackTraceMap.BPF_F_USER_STACK) != 0 ? new long[0] : state.callChain().ips();
    }

    /** bpf_get_stackid(ctx, map, flags): the id of the stack in the map, or a negated errno. */
    static long getStackId(long ctx, long mapAddress, long flags) {
        RunState state = RunState.current();
        if (!(state.map(mapAddress) instanceof StackTraceMap map)) {
            throw new RuntimeFault("get_stackid: r2 is not a stack trace map");
        }
        long known = StackTraceMap.BPF_F_SKIP_FIELD_MASK | StackTraceMap.BPF_F_USER_STACK | StackTraceMap.BPF_F_FAST_STACK_CMP | StackTraceMap.BPF_F_REUSE_STACKID;
        if ((flags & ~known) != 0) {
            return -Errno.EINVAL;
        }
        int skip = (int) (flags & StackTraceMap.BPF_F_SKIP_FIELD_MASK);
        long[] trace = trace(state, flags);
        int walked = Math.min(trace.length, Math.min(map.depth() + skip, MAX_STACK));
        if (walked <= skip) {
            // Skipping the whole stack (or an empty user stack) leaves nothing to store.
            return -Errno.EFAULT;
        }
        return map.store(Arrays.copyOfRange(trace, skip, walked), flags);
    }

    /** bpf_get_stack(ctx, buf, size, flags): the bytes copied, the rest of the buffer zeroed; or a negated errno and a zeroed buffer. */
    static long getStack(long ctx, long buffer, long sizeRegister, long flags) {
        RunState state = RunState.current();
        long size = sizeRegister & 0xffffffffL;
        state.regions().checkForHelper(buffer, size, true, "get_stack buffer");
        long error = stackProblem(flags, size);
        if (error == 0) {
            boolean buildIds = (flags & BPF_F_USER_BUILD_ID) != 0;
            int entryBytes = buildIds ? BUILD_ID_ENTRY_BYTES : 8;
            int skip = (int) (flags & StackTraceMap.BPF_F_SKIP_FIELD_MASK);
            long entries = size / entryBytes;
            long[] trace = trace(state, flags);
            int walked = (int) Math.min(trace.length, Math.min(entries + skip, MAX_STACK));
            if (walked >= skip) {
                int copied = (int) Math.min(walked - skip, entries);
                // Only the user stack may ask for build ids, and it is empty here: what is copied is plain ips.
                NativeMemory.fill(buffer, size, (byte) 0);
                for (int i = 0; i < copied; i++) {
                    NativeMemory.writeU64(buffer + 8L * i, trace[skip + i]);
                }
                return (long) copied * entryBytes;
            }
            error = -Errno.EFAULT;
        }
        NativeMemory.fill(buffer, size, (byte) 0);
        return error;
    }

    /** -EINVAL for flags or a size the kernel refuses, else 0. */
    private static long stackProblem(long flags, long size) {
        if ((flags & ~(StackTraceMap.BPF_F_SKIP_FIELD_MASK | StackTraceMap.BPF_F_USER_STACK | BPF_F_USER_BUILD_ID)) != 0) {
            return -Errno.EINVAL;
        }
        boolean user = (flags & StackTraceMap.BPF_F_USER_STACK) != 0;
        boolean buildIds = (flags & BPF_F_USER_BUILD_ID) != 0;
        if (!user && buildIds) {
            return -Errno.EINVAL;
        }
        return size % (buildIds ? BUILD_ID_ENTRY_BYTES : 8) != 0 ? -Errno.EINVAL : 0;
    }
}
