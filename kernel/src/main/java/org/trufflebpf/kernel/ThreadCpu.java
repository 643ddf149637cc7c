package org.trufflebpf.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Pins the calling thread to one CPU for a test run and restores its affinity after: BPF_PROG_TEST_RUN runs
 * XDP and skb programs on the caller's CPU, so pinning it to {@code bpf.Cpu} makes the kernel's per-CPU map
 * slot the one our engines use. sched_getaffinity/sched_setaffinity (x86-64 numbers 204/203) on thread 0 (self).
 */
final class ThreadCpu implements AutoCloseable {
    private static final long SYS_SCHED_SETAFFINITY = 203;
    private static final long SYS_SCHED_GETAFFINITY = 204;
    private static final int MASK_BYTES = 128; // 1024 CPUs, glibc's cpu_set_t
    private static final MethodHandle SYSCALL = Linker.nativeLinker().defaultLookup().find("syscall")
                    .map(address -> Linker.nativeLinker().downcallHandle(address,
                                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
                                    Linker.Option.firstVariadicArg(1)))
                    .orElse(null);

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment saved;
    private final boolean pinned;

    /** Pins to {@code cpu}; when that fails (CPU offline, not allowed) the thread stays as it was. */
    ThreadCpu(int cpu) {
        saved = arena.allocate(MASK_BYTES);
        boolean ok = false;
        if (SYSCALL != null && cpu >= 0 && cpu < MASK_BYTES * 8 && call(SYS_SCHED_GETAFFINITY, saved) >= 0) {
            MemorySegment one = arena.allocate(MASK_BYTES);
            one.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            ok = call(SYS_SCHED_SETAFFINITY, one) == 0;
        }
        pinned = ok;
    }

    private static long call(long number, MemorySegment mask) {
        try {
            return (long) SYSCALL.invokeExact(number, 0L, (long) MASK_BYTES, mask);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (pinned) {
            call(SYS_SCHED_SETAFFINITY, saved);
        }
        arena.close();
    }
}
