package org.trufflebpf.runtime;

import java.util.Arrays;

import org.trufflebpf.runtime.maps.Errno;

/**
 * bpf_probe_read{,_user,_kernel}{,_str} over the run's {@link ProbeMemory}, as kernel/trace/bpf_trace.c and
 * mm/maccess.c behave on x86-64: a kernel read of a user-range address is -ERANGE, a user read outside the user
 * range -EFAULT, an unmapped byte -EFAULT; on any error the whole destination is zeroed. The legacy helpers read
 * user memory below TASK_SIZE and kernel memory above. The _str variants stop after the NUL and return the
 * length with it; a string that does not fit is cut to size - 1 bytes and a NUL, and returns size.
 */
final class ProbeHelpers {
    private ProbeHelpers() {
    }

    private static final int ERANGE = 34;

    static long read(long dst, long r2, long src, boolean user, String helper) {
        RunState state = RunState.current();
        long size = r2 & 0xffffffffL;
        state.regions().checkForHelper(dst, size, true, helper + " destination");
        long error = check(src, size, user);
        byte[] bytes = new byte[(int) size];
        for (int i = 0; error == 0 && i < size; i++) {
            int b = state.probeMemory().read(src + i);
            if (b < 0) {
                error = -Errno.EFAULT;
            }
            bytes[i] = (byte) b;
        }
        if (error != 0) {
            NativeMemory.fill(dst, size, (byte) 0);
            return error;
        }
        NativeMemory.copyIn(bytes, dst);
        return 0;
    }

    static long readString(long dst, long r2, long src, boolean user, String helper) {
        RunState state = RunState.current();
        long size = r2 & 0xffffffffL;
        state.regions().checkForHelper(dst, size, true, helper + " destination");
        if (size == 0) {
            return 0;
        }
        // strncpy_from_user_nofault checks the whole size against the user range, the kernel's only the start.
        long error = check(src, user ? size : 1, user);
        byte[] bytes = new byte[(int) size];
        int copied = 0;
        while (error == 0) {
            int b = state.probeMemory().read(src + copied);
            if (b < 0) {
                error = -Errno.EFAULT;
                break;
            }
            bytes[copied++] = (byte) b;
            if (b == 0 || copied == size) {
                break;
            }
        }
        if (error != 0) {
            NativeMemory.fill(dst, size, (byte) 0);
            return error;
        }
        bytes[copied - 1] = 0;
        // Bytes after the string are left as they were, as the kernel leaves them.
        NativeMemory.copyIn(Arrays.copyOf(bytes, copied), dst);
        return copied;
    }

    private static long check(long src, long size, boolean user) {
        if (user) {
            return ProbeMemory.isUser(src, size) ? 0 : -Errno.EFAULT;
        }
        return ProbeMemory.isKernel(src) ? 0 : -ERANGE;
    }

    /** The legacy helpers' choice on x86-64: user memory below TASK_SIZE. */
    static boolean legacyIsUser(long src) {
        return Long.compareUnsigned(src, ProbeMemory.TASK_SIZE_MAX) < 0;
    }
}
