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

import org.trufflebpf.model.BpfError;
import org.trufflebpf.runtime.maps.RingBuffer;

/**
 * A kernel BPF_MAP_TYPE_RINGBUF seen from the host, as libbpf maps it: the consumer page read-write at offset 0
 * of the map fd, the producer page and the data pages read-only after it (the data mapped twice in a row by the
 * kernel, so a record that wraps is contiguous). After a run, the records the kernel's ring got are copied into
 * the runtime's ring (submitted or discarded alike), where the host consumes them as on our engines.
 * <p>
 * The kernel's consumer position is not simply moved past what was copied: before each run it is set to trail
 * the copied position by what the runtime's ring still holds unconsumed, so a reservation fails in the kernel
 * when the host has not consumed enough, as it does on our engines. (The two rings differ only at the wrap: the
 * kernel wraps a record, ours pads to the end first; so near full, ours may refuse a record the kernel took,
 * which is reported, not dropped silently.)
 */
final class KernelRingBuffer implements AutoCloseable {
    /** x86-64's page size, the unit of the ring's mapping offsets. */
    private static final long PAGE = 4096;
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;
    private static final long HEADER_BYTES = RingBuffer.HEADER_BYTES;

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;

    static {
        Linker linker = Linker.nativeLinker();
        MMAP = linker.defaultLookup().find("mmap").map(address -> linker.downcallHandle(address, FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
                        Linker.Option.captureCallState("errno"))).orElse(null);
        MUNMAP = linker.defaultLookup().find("munmap")
                        .map(address -> linker.downcallHandle(address, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG)))
                        .orElse(null);
    }

    private final String file;
    private final String name;
    private final long size;
    private MemorySegment consumerPage;
    private MemorySegment producerAndData;
    /** The kernel position up to which records have been copied into the runtime's ring. */
    private long copied;

    private KernelRingBuffer(String file, String name, long size, MemorySegment consumerPage, MemorySegment producerAndData) {
        this.file = file;
        this.name = name;
        this.size = size;
        this.consumerPage = consumerPage;
        this.producerAndData = producerAndData;
    }

    /** Maps ring buffer {@code fd} of {@code size} data bytes (a power of 2, a multiple of the page). */
    static KernelRingBuffer map(String file, String name, int fd, long size) {
        MemorySegment consumer = mmap(PAGE, PROT_READ | PROT_WRITE, fd, 0, name);
        try {
            MemorySegment producer = mmap(PAGE + 2 * size, PROT_READ, fd, PAGE, name);
            return new KernelRingBuffer(file, name, size, consumer, producer);
        } catch (BpfSyscall.Failure e) {
            munmap(consumer);
            throw e;
        }
    }

    static MemorySegment mmap(long length, int protection, int fd, long offset, String name) {
        if (MMAP == null) {
            throw new BpfSyscall.Failure("mmap of ring buffer '" + name + "' (libc has no mmap)", Errno.ENOSYS);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment address = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, protection, MAP_SHARED, fd, offset);
            if (address.address() == -1L) {
                throw new BpfSyscall.Failure("mmap of ring buffer '" + name + "'", (int) ERRNO.get(state, 0L));
            }
            return address.reinterpret(length);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static void munmap(MemorySegment mapping) {
        if (mapping == null || MUNMAP == null) {
            return;
        }
        try {
            int result = (int) MUNMAP.invokeExact(mapping, mapping.byteSize());
            assert result == 0 : "munmap of a mapping we made failed";
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Before a run: the kernel's consumer position trails what was copied by what {@code ring} still holds, never
     * moving back. (The syscall that follows orders this store before the kernel's reads.)
     */
    void trailHostConsumer(RingBuffer ring) {
        long consumer = consumerPage.get(ValueLayout.JAVA_LONG, 0);
        long wanted = Math.min(copied, Math.max(consumer, copied - ring.pending()));
        consumerPage.set(ValueLayout.JAVA_LONG, 0, wanted);
    }

    /**
     * After a run: copies the records the kernel's ring got since the last copy into {@code ring}. A record ours
     * has no room for is skipped and reported once all were copied.
     */
    void copyRecordsInto(RingBuffer ring) {
        long producer = producerAndData.get(ValueLayout.JAVA_LONG, 0);
        long dataStart = PAGE;
        int lost = 0;
        long lostBytes = 0;
        while (copied < producer) {
            long at = dataStart + (copied & (size - 1));
            long header = Integer.toUnsignedLong(producerAndData.get(ValueLayout.JAVA_INT, at));
            if ((header & RingBuffer.BUSY_BIT) != 0) {
                // Still reserved: cannot happen after a finished run (the verifier makes programs release every
                // reservation), and it stays for the next copy if it does.
                break;
            }
            long length = header & ~(RingBuffer.BUSY_BIT | RingBuffer.DISCARD_BIT);
            if (length > size - HEADER_BYTES) {
                throw new BpfError(BpfError.Kind.RUNTIME, file, String.format("kernel engine: ring buffer '%s': the kernel's record header at position %d says %d bytes, more than the ring holds",
                                name, copied, length));
            }
            byte[] payload = producerAndData.asSlice(at + HEADER_BYTES, length).toArray(ValueLayout.JAVA_BYTE);
            if (ring.addRecord(payload, (header & RingBuffer.DISCARD_BIT) != 0) != 0) {
                lost++;
                lostBytes += length;
            }
            copied += (HEADER_BYTES + length + 7) & ~7L;
        }
        if (lost > 0) {
            throw new BpfError(BpfError.Kind.RUNTIME, file, "kernel engine: ring buffer '" + name + "': " + lost + " record(s) of " + lostBytes
                            + " bytes the kernel's ring took do not fit in the host's ring, which holds " + ring.pending()
                            + " unconsumed bytes (the kernel wraps records where ours pads to the end); consume records between runs");
        }
    }

    @Override
    public void close() {
        munmap(consumerPage);
        munmap(producerAndData);
        consumerPage = null;
        producerAndData = null;
    }
}
