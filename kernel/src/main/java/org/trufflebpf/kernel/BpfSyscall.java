package org.trufflebpf.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The bpf(2) system call through FFM: libc's {@code syscall(321, cmd, attr, size)} with errno captured. The
 * commands and {@code union bpf_attr} offsets used by this module are the kernel's UAPI values.
 */
final class BpfSyscall {
    static final int MAP_CREATE = 0;
    static final int MAP_LOOKUP_ELEM = 1;
    static final int MAP_UPDATE_ELEM = 2;
    static final int MAP_DELETE_ELEM = 3;
    static final int MAP_GET_NEXT_KEY = 4;
    static final int PROG_LOAD = 5;
    static final int PROG_TEST_RUN = 10;
    static final int OBJ_GET_INFO_BY_FD = 15;
    static final int BTF_LOAD = 18;
    static final int MAP_FREEZE = 22;

    /** Large enough for every command we use; the kernel accepts a larger zeroed tail. */
    static final int ATTR_SIZE = 144;

    private static final long SYS_BPF = 321; // x86-64
    private static final long SYS_CLOSE = 3;
    private static final MethodHandle SYSCALL;
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final String UNAVAILABLE;

    static {
        MethodHandle handle = null;
        String reason = null;
        if (!System.getProperty("os.name", "").equals("Linux") || !System.getProperty("os.arch", "").equals("amd64")) {
            reason = "bpf(2) needs Linux on x86-64, not " + System.getProperty("os.name") + " on " + System.getProperty("os.arch");
        } else {
            Linker linker = Linker.nativeLinker();
            handle = linker.defaultLookup().find("syscall").map(address -> linker.downcallHandle(address,
                            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"))).orElse(null);
            if (handle == null) {
                reason = "libc has no syscall function";
            }
        }
        SYSCALL = handle;
        UNAVAILABLE = reason;
    }

    private BpfSyscall() {
    }

    /** Why the syscall cannot even be attempted here, or null. */
    static String unavailableReason() {
        return UNAVAILABLE;
    }

    /** A failed bpf(2) command, with its errno. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int errno;

        Failure(String command, int errno) {
            super(command + ": " + Errno.describe(errno), null, false, false);
            this.errno = errno;
        }
    }

    /** Calls bpf(cmd, attr, ATTR_SIZE); returns the result or throws a {@link Failure} naming {@code what}. */
    static long call(int cmd, MemorySegment attr, String what) {
        long result = callRaw(SYS_BPF, cmd, attr, ATTR_SIZE);
        if (result < 0) {
            throw new Failure(what, (int) -result);
        }
        return result;
    }

    /** Returns the result, or the negated errno. */
    private static long callRaw(long number, long a, MemorySegment b, long c) {
        if (SYSCALL == null) {
            throw new Failure("bpf", Errno.ENOSYS);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long result = (long) SYSCALL.invokeExact(state, number, a, b, c);
            return result == -1 ? -(int) ERRNO.get(state, 0L) : result;
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static void close(int fd) {
        if (fd >= 0) {
            callRaw(SYS_CLOSE, fd, MemorySegment.NULL, 0);
        }
    }
}
