package org.trufflebpf.jit.x64;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * How deep native code may take the current thread's stack. Below the thread's lowest address lie the JVM's
 * guard pages (red, yellow, reserved), which native code must never touch (the JVM dies of the SIGSEGV), and
 * above them the shadow zone that Java code called from native code (helpers, the host poll) needs to report
 * its own stack overflow cleanly. Checked code compares the stack pointer with {@link #callLimit()} before
 * each bpf-to-bpf call, so a deep recursion ends in a stack-overflow error, as in the interpreter, instead of
 * a crash. The bounds come from {@code pthread_getattr_np} (glibc); where it is missing the limit is 0 and
 * only the frame count bounds the recursion.
 */
final class ThreadStack {
    /** Room above the shadow zone for the deepest BPF frame, the stubs' saved registers and an upcall's first frames. */
    private static final long MARGIN = 32 * 1024;
    /** Bytes of a glibc pthread_attr_t (56 on x86-64), with room to spare. */
    private static final long ATTR_BYTES = 128;

    private static final MethodHandle PTHREAD_SELF;
    private static final MethodHandle PTHREAD_GETATTR_NP;
    private static final MethodHandle PTHREAD_ATTR_GETSTACK;
    private static final MethodHandle PTHREAD_ATTR_DESTROY;
    /** Guard and shadow zones of every Java thread's stack, in bytes. */
    private static final long RESERVED_BYTES;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        MethodHandle self = null;
        MethodHandle getattr = null;
        MethodHandle getstack = null;
        MethodHandle destroy = null;
        if (libc.find("pthread_getattr_np").isPresent() && libc.find("pthread_attr_getstack").isPresent()) {
            self = linker.downcallHandle(libc.find("pthread_self").orElseThrow(), FunctionDescriptor.of(JAVA_LONG));
            getattr = linker.downcallHandle(libc.find("pthread_getattr_np").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS));
            getstack = linker.downcallHandle(libc.find("pthread_attr_getstack").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
            destroy = linker.downcallHandle(libc.find("pthread_attr_destroy").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        }
        PTHREAD_SELF = self;
        PTHREAD_GETATTR_NP = getattr;
        PTHREAD_ATTR_GETSTACK = getstack;
        PTHREAD_ATTR_DESTROY = destroy;
        long pageSize = 4096;
        long pages = pages("StackRedPages", 1) + pages("StackYellowPages", 2) + pages("StackReservedPages", 1) + pages("StackShadowPages", 20);
        RESERVED_BYTES = pages * pageSize;
    }

    private ThreadStack() {
    }

    private static long pages(String option, long fallback) {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return Long.parseLong(vm.getVMOption(option).getValue());
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    /**
     * The lowest address the stack pointer may have before a bpf-to-bpf call on this thread, or 0 when the
     * thread's stack bounds are unknown. Computed at each call (a system call): the run block keeps it per
     * platform thread, and asks again on each run of a virtual thread, which may run on another carrier each time.
     */
    static long callLimit() {
        if (PTHREAD_GETATTR_NP == null) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_BYTES, 16);
            MemorySegment low = arena.allocate(ADDRESS);
            MemorySegment size = arena.allocate(JAVA_LONG);
            long self = (long) PTHREAD_SELF.invokeExact();
            if ((int) PTHREAD_GETATTR_NP.invokeExact(self, attr) != 0) {
                return 0;
            }
            try {
                if ((int) PTHREAD_ATTR_GETSTACK.invokeExact(attr, low, size) != 0) {
                    return 0;
                }
            } finally {
                int ignored = (int) PTHREAD_ATTR_DESTROY.invokeExact(attr);
            }
            long lowest = low.get(ADDRESS, 0).address();
            return lowest == 0 ? 0 : lowest + RESERVED_BYTES + MARGIN;
        } catch (Throwable t) {
            return 0;
        }
    }
}
