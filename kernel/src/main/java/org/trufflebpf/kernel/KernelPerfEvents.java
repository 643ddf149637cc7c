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
import org.trufflebpf.runtime.maps.PerfEventArray;

/**
 * A kernel BPF_MAP_TYPE_PERF_EVENT_ARRAY with its events, as libbpf's perf buffer sets it up: for each slot our
 * {@link PerfEventArray} has an event in (slot i on CPU i), a BPF-output software event opened on that CPU
 * (perf_event_open, x86-64 number 298) with raw samples, its ring mapped (one metadata page and
 * {@link PerfEventArray#BYTES_PER_CPU} data bytes) and its fd stored in the slot. After a run the samples the
 * kernel wrote are copied into the runtime's array (and lost-record counts added), where the host consumes them
 * as on our engines; before a run each ring's tail trails what was copied by what the host has not consumed,
 * so a ring fills up in the kernel when ours does.
 */
final class KernelPerfEvents implements AutoCloseable {
    private static final long SYS_PERF_EVENT_OPEN = 298;
    private static final long PAGE = 4096;
    private static final int PERF_TYPE_SOFTWARE = 1;
    private static final int PERF_COUNT_SW_BPF_OUTPUT = 10;
    private static final long PERF_SAMPLE_RAW = 1 << 10;
    private static final long PERF_FLAG_FD_CLOEXEC = 8;
    private static final int PERF_ATTR_SIZE = 112;
    private static final int PERF_RECORD_LOST = 2;
    private static final int PERF_RECORD_SAMPLE = 9;
    // struct perf_event_mmap_page
    private static final long DATA_HEAD = 1024;
    private static final long DATA_TAIL = 1032;

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SYSCALL = Linker.nativeLinker().defaultLookup().find("syscall")
                    .map(address -> Linker.nativeLinker().downcallHandle(address,
                                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                                                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                                    Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno")))
                    .orElse(null);

    private final String file;
    private final String name;
    private final int[] eventFds;
    private final MemorySegment[] rings;
    /** Per CPU, the kernel position up to which samples were copied. */
    private final long[] copied;

    private KernelPerfEvents(String file, String name, int events) {
        this.file = file;
        this.name = name;
        this.eventFds = new int[events];
        this.rings = new MemorySegment[events];
        this.copied = new long[events];
        java.util.Arrays.fill(eventFds, -1);
    }

    /** Opens an event per slot of {@code events} and stores each in perf event array {@code mapFd}. */
    static KernelPerfEvents open(String file, String name, int mapFd, PerfEventArray events, KernelMaps maps, int mapIndex) {
        KernelPerfEvents opened = new KernelPerfEvents(file, name, events.events());
        try {
            for (int cpu = 0; cpu < events.events(); cpu++) {
                int fd = opened.openEvent(cpu);
                opened.eventFds[cpu] = fd;
                opened.rings[cpu] = KernelRingBuffer.mmap(PAGE + PerfEventArray.BYTES_PER_CPU, KernelRingBuffer.PROT_READ | KernelRingBuffer.PROT_WRITE, fd, 0, name);
                maps.setFdSlot(mapIndex, cpu, fd);
            }
            return opened;
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    private int openEvent(int cpu) {
        if (SYSCALL == null) {
            throw new BpfSyscall.Failure("perf_event_open for '" + name + "' (libc has no syscall function)", Errno.ENOSYS);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(PERF_ATTR_SIZE);
            attr.set(ValueLayout.JAVA_INT, 0, PERF_TYPE_SOFTWARE);
            attr.set(ValueLayout.JAVA_INT, 4, PERF_ATTR_SIZE);
            attr.set(ValueLayout.JAVA_LONG, 8, PERF_COUNT_SW_BPF_OUTPUT);
            attr.set(ValueLayout.JAVA_LONG, 16, 1); // sample_period
            attr.set(ValueLayout.JAVA_LONG, 24, PERF_SAMPLE_RAW);
            attr.set(ValueLayout.JAVA_INT, 48, 1); // wakeup_events
            MemorySegment state = arena.allocate(CALL_STATE);
            long fd = (long) SYSCALL.invokeExact(state, SYS_PERF_EVENT_OPEN, attr, -1L, (long) cpu, -1L, PERF_FLAG_FD_CLOEXEC);
            if (fd < 0) {
                throw new BpfSyscall.Failure("perf_event_open on CPU " + cpu + " for '" + name + "'", (int) ERRNO.get(state, 0L));
            }
            return (int) fd;
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Before a run: each ring's tail trails what was copied by what the host still holds unconsumed, never moving back. */
    void trailHostConsumer(PerfEventArray events) {
        for (int cpu = 0; cpu < rings.length; cpu++) {
            long tail = rings[cpu].get(ValueLayout.JAVA_LONG, DATA_TAIL);
            long wanted = Math.min(copied[cpu], Math.max(tail, copied[cpu] - events.pending(cpu)));
            VarHandle.releaseFence();
            rings[cpu].set(ValueLayout.JAVA_LONG, DATA_TAIL, wanted);
        }
    }

    /** After a run: copies each ring's new samples into {@code events}, and adds the losses the kernel recorded. */
    void copyRecordsInto(PerfEventArray events) {
        for (int cpu = 0; cpu < rings.length; cpu++) {
            MemorySegment ring = rings[cpu];
            long head = ring.get(ValueLayout.JAVA_LONG, DATA_HEAD);
            VarHandle.acquireFence();
            while (copied[cpu] < head) {
                long type = Integer.toUnsignedLong((int) readLittleEndian(ring, copied[cpu], 4));
                int size = (int) readLittleEndian(ring, copied[cpu] + 6, 2);
                if (size < 8 || size > PerfEventArray.BYTES_PER_CPU) {
                    throw new BpfError(BpfError.Kind.RUNTIME, file, "kernel engine: perf event array '" + name + "': a record of " + size + " bytes on CPU " + cpu);
                }
                if (type == PERF_RECORD_SAMPLE) {
                    int rawSize = (int) readLittleEndian(ring, copied[cpu] + 8, 4);
                    byte[] raw = new byte[Math.min(rawSize, size - 12)];
                    for (int i = 0; i < raw.length; i++) {
                        raw[i] = (byte) readLittleEndian(ring, copied[cpu] + 12 + i, 1);
                    }
                    events.addRecord(cpu, raw);
                } else if (type == PERF_RECORD_LOST) {
                    events.addLost(cpu, readLittleEndian(ring, copied[cpu] + 16, 8));
                }
                copied[cpu] += size;
            }
        }
    }

    /** Reads {@code bytes} little-endian bytes at ring position {@code position} (the data wraps around). */
    private static long readLittleEndian(MemorySegment ring, long position, int bytes) {
        long value = 0;
        for (int i = bytes - 1; i >= 0; i--) {
            long at = PAGE + ((position + i) % PerfEventArray.BYTES_PER_CPU);
            value = (value << 8) | (ring.get(ValueLayout.JAVA_BYTE, at) & 0xff);
        }
        return value;
    }

    @Override
    public void close() {
        for (int cpu = 0; cpu < rings.length; cpu++) {
            KernelRingBuffer.munmap(rings[cpu]);
            rings[cpu] = null;
            BpfSyscall.close(eventFds[cpu]);
            eventFds[cpu] = -1;
        }
    }
}
