package org.trufflebpf.jit.x64;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Executable memory with W^X: the same physical pages (a memfd) are mapped twice, once read+write for the JIT
 * and the patcher, once read+execute for running. No mapping is ever writable and executable at once, and no
 * live page is ever mprotect-toggled (which would fault threads running it). When nothing needs patching, the
 * writable view is unmapped with {@link #sealWrites()}. Executable views lie in the {@link CodeRegion}.
 */
public final class CodeMemory implements AutoCloseable {
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int PROT_EXEC = 4;
    private static final int MAP_SHARED = 1;
    private static final int MAP_FIXED = 0x10;
    private static final int MFD_CLOEXEC = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MethodHandle MMAP = function("mmap", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = function("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle MEMFD_CREATE = function("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FTRUNCATE = function("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle CLOSE = function("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final long size;
    private final long executableAddress;
    private long writableAddress;
    private MemorySegment writable;
    private boolean closed;

    private static MethodHandle function(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor);
    }

    private CodeMemory(long size, long executableAddress, long writableAddress) {
        this.size = size;
        this.executableAddress = executableAddress;
        this.writableAddress = writableAddress;
        this.writable = MemorySegment.ofAddress(writableAddress).reinterpret(size);
    }

    /** Maps at least {@code bytes} bytes (rounded up to whole pages), filled with zeros. */
    public static CodeMemory allocate(long bytes) {
        long size = CodeRegion.pageRounded(bytes);
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) MEMFD_CREATE.invokeExact(arena.allocateFrom("trufflebpf-jit"), MFD_CLOEXEC);
            if (fd < 0) {
                throw new IllegalStateException("memfd_create failed");
            }
            try {
                if ((int) FTRUNCATE.invokeExact(fd, size) != 0) {
                    throw new IllegalStateException("ftruncate of the code memfd failed");
                }
                long rw = (long) MMAP.invokeExact(0L, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0L);
                if (rw == -1L) {
                    throw new IllegalStateException("mmap of the writable code view failed");
                }
                // The executable view goes into the code region, within rel32 reach of every other image.
                CodeRegion region = CodeRegion.get();
                long place = region.take(size);
                long rx = (long) MMAP.invokeExact(place, size, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED, fd, 0L);
                if (rx != place) {
                    int ignored = (int) MUNMAP.invokeExact(rw, size);
                    region.give(place, size);
                    throw new IllegalStateException("mmap of the executable code view failed");
                }
                return new CodeMemory(size, rx, rw);
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd); // the mappings keep the memory alive
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Address of the executable view: where code runs and where jumps and calls point. */
    public long address() {
        return executableAddress;
    }

    /** The bytes mapped, a whole number of pages. */
    public long size() {
        return size;
    }

    /** Copies bytes into the code through the writable view. */
    public void write(long offset, byte[] bytes) {
        checkWritable();
        MemorySegment.copy(bytes, 0, writable, ValueLayout.JAVA_BYTE, offset, bytes.length);
    }

    /** The 8 bytes at an 8-aligned offset, as a running thread sees them. */
    public long readLong(long offset) {
        checkAligned(offset);
        return MemorySegment.ofAddress(executableAddress).reinterpret(size).get(JAVA_LONG, offset);
    }

    /**
     * Replaces the 8 bytes at an 8-aligned offset with one store, so a thread executing them sees either the
     * old or the new bytes, never a mix.
     */
    public void writeLongAtomic(long offset, long value) {
        checkWritable();
        checkAligned(offset);
        VarHandle.fullFence();
        writable.set(JAVA_LONG, offset, value);
        VarHandle.fullFence();
    }

    /** Drops the writable view: the code can no longer change. */
    public void sealWrites() {
        if (writable != null) {
            unmap(writableAddress);
            writable = null;
            writableAddress = 0;
        }
    }

    /** Unmaps the memory; no thread may still run in it. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            sealWrites();
            CodeRegion.get().give(executableAddress, size);
        }
    }

    private void unmap(long address) {
        try {
            int ignored = (int) MUNMAP.invokeExact(address, size);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private void checkWritable() {
        if (writable == null) {
            throw new IllegalStateException("code memory is sealed");
        }
    }

    private static void checkAligned(long offset) {
        if ((offset & 7) != 0) {
            throw new IllegalArgumentException("offset not 8-aligned: " + offset);
        }
    }
}
