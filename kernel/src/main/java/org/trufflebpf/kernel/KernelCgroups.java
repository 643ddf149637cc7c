package org.trufflebpf.kernel;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

import org.trufflebpf.runtime.CgroupPath;

/**
 * Cgroups as the kernel takes them: a cgroup array's slot holds a cgroup's fd, an open directory of the cgroup v2
 * hierarchy. Our model names cgroups by their path in that hierarchy ({@link CgroupPath}); this finds where the
 * hierarchy is mounted (from /proc/self/mounts: /sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid systems)
 * and opens a cgroup by its path.
 */
public final class KernelCgroups {
    private static final long SYS_OPENAT = 257;
    private static final long AT_FDCWD = -100;
    private static final long O_RDONLY_DIRECTORY_CLOEXEC = 0x10000 | 0x80000;
    private static final MethodHandle SYSCALL = Linker.nativeLinker().defaultLookup().find("syscall")
                    .map(address -> Linker.nativeLinker().downcallHandle(address,
                                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                                    Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno")))
                    .orElse(null);

    private KernelCgroups() {
    }

    /** Where the cgroup v2 hierarchy is mounted, or null when it is not. */
    public static Path mount() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] fields = line.split(" ");
                if (fields.length > 2 && fields[2].equals("cgroup2")) {
                    return Path.of(fields[1]);
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /** This process's cgroup v2 path ({@code 0::PATH} of /proc/self/cgroup), or the root when it shows none. */
    public static String own() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                if (line.startsWith("0::")) {
                    return CgroupPath.parse(line.substring(3));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            return CgroupPath.ROOT;
        }
        return CgroupPath.ROOT;
    }

    /** An fd of the cgroup at {@code path}, for a cgroup array slot; the caller closes it. */
    static int open(String path) {
        Path mount = mount();
        if (mount == null || SYSCALL == null) {
            throw new BpfSyscall.Failure("cgroup " + path + " (no cgroup v2 hierarchy is mounted)", Errno.ENOENT);
        }
        Path directory = path.equals(CgroupPath.ROOT) ? mount : mount.resolve(path.substring(1));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            long fd = (long) SYSCALL.invokeExact(state, SYS_OPENAT, AT_FDCWD, arena.allocateFrom(directory.toString()), O_RDONLY_DIRECTORY_CLOEXEC);
            if (fd < 0) {
                int errno = state.get(ValueLayout.JAVA_INT, Linker.Option.captureStateLayout().byteOffset(MemoryLayout.PathElement.groupElement("errno")));
                throw new BpfSyscall.Failure("open of cgroup " + path + " (" + directory + ")", errno);
            }
            return (int) fd;
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
