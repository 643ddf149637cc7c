package org.trufflebpf.runtime.maps;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.runtime.MemoryRegions;

/**
 * PERF_EVENT_ARRAY as a host reads it through perf buffers (libbpf's {@code perf_buffer}): slot i holds a
 * BPF-output perf event on CPU i, for every CPU up to {@code max_entries}, each with a ring of
 * {@link #BYTES_PER_CPU} bytes. Programs write records with {@code bpf_perf_event_output}; each lands in the
 * ring of the slot its flags name, which must be the running CPU's, as in the kernel. A record is what a perf
 * reader receives: the sample's raw bytes, zero-padded so that with their u32 size they fill whole 8-byte
 * words (the kernel pads them so); in the ring it also takes the 8-byte perf header and the u32 size. A
 * record that does not fit is lost and counted, as the kernel counts it for its PERF_RECORD_LOST.
 */
public final class PerfEventArray extends KeylessMap {
    /** Data bytes of each CPU's ring: 8 pages, as a perf buffer maps by default in many tools. */
    public static final int BYTES_PER_CPU = 8 * 4096;
    /** perf_event_header (u32 type, u16 misc, u16 size) and the raw sample's u32 size. */
    public static final int RECORD_OVERHEAD = 8 + 4;

    /** A record read by the host: the CPU whose ring it was in, and its (padded) bytes. */
    public record Record(int cpu, byte[] data) {
    }

    private final int events;
    private final List<ArrayDeque<byte[]>> rings = new ArrayList<>();
    private final long[] pending;
    private final long[] lost;

    public PerfEventArray(MapDefinition definition, int cpus) {
        super(definition, 16);
        this.events = Math.min(definition.maxEntries(), cpus);
        this.pending = new long[events];
        this.lost = new long[events];
        for (int i = 0; i < events; i++) {
            rings.add(new ArrayDeque<>());
        }
    }

    /** None: programs only reach the map through bpf_perf_event_output. */
    @Override
    public void addRegions(MemoryRegions regions) {
    }

    /** The raw bytes a sample of {@code length} bytes becomes, with the kernel's padding. */
    public static int paddedLength(long length) {
        return (int) (((length + 4 + 7) & ~7L) - 4);
    }

    /**
     * Writes a sample from CPU {@code cpu} to slot {@code index}: 0, or -E2BIG (no such slot), -ENOENT (no event
     * there), -EOPNOTSUPP (the event is another CPU's), -ENOSPC (the ring is full; counted as lost).
     */
    public synchronized long output(long index, int cpu, byte[] sample) {
        if (index >= maxEntries()) {
            return -Errno.E2BIG;
        }
        if (index >= events) {
            return -Errno.ENOENT;
        }
        if (index != cpu) {
            return -Errno.EOPNOTSUPP;
        }
        return append(cpu, sample);
    }

    /** Adds a record the kernel's ring of {@code cpu} got, padded already; 0 or -ENOSPC. */
    public synchronized long addRecord(int cpu, byte[] padded) {
        return cpu < events ? append(cpu, padded) : -Errno.ENOENT;
    }

    /** Counts records the kernel's ring of {@code cpu} lost. */
    public synchronized void addLost(int cpu, long count) {
        if (cpu < events) {
            lost[cpu] += count;
        }
    }

    private long append(int cpu, byte[] sample) {
        byte[] record = java.util.Arrays.copyOf(sample, paddedLength(sample.length));
        long footprint = RECORD_OVERHEAD + record.length;
        // As the kernel's perf ring: it holds at most one byte less than its size.
        if (pending[cpu] + footprint > BYTES_PER_CPU - 1) {
            lost[cpu]++;
            return -Errno.ENOSPC;
        }
        rings.get(cpu).addLast(record);
        pending[cpu] += footprint;
        return 0;
    }

    /** Takes every record, CPU by CPU, each CPU's in the order written. */
    public synchronized List<Record> consume() {
        List<Record> out = new ArrayList<>();
        for (int cpu = 0; cpu < events; cpu++) {
            for (byte[] record : rings.get(cpu)) {
                out.add(new Record(cpu, record));
            }
            rings.get(cpu).clear();
            pending[cpu] = 0;
        }
        return out;
    }

    /** Bytes of CPU {@code cpu}'s ring that records not yet consumed take (the kernel engine keeps its ring in step). */
    public synchronized long pending(int cpu) {
        return cpu < events ? pending[cpu] : 0;
    }

    /** Records lost so far on every CPU. */
    public synchronized long lost() {
        long sum = 0;
        for (long n : lost) {
            sum += n;
        }
        return sum;
    }

    /** How many slots hold an event: one per CPU, up to max_entries. */
    public int events() {
        return events;
    }

    @Override
    public List<byte[]> keys() {
        return List.of();
    }
}
