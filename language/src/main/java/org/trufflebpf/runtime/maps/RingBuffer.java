package org.trufflebpf.runtime.maps;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.runtime.MemoryRegions;
import org.trufflebpf.runtime.NativeMemory;

/**
 * RINGBUF: programs reserve records, fill them in place and submit or discard them; the host consumes
 * submitted records in order. Each record has an 8-byte header (u32 length with BUSY and DISCARD bits, u32
 * unused) as in the kernel. The kernel maps the data pages twice so a record may wrap; here a record that
 * would wrap is preceded by a discarded filler up to the end of the buffer, so every record is contiguous.
 *
 * <p>Programs reach only the payload of a record they reserved and have not yet released (the helpers make it
 * a region of the run); the buffer itself, headers included, is no region. Lengths and states are kept here
 * on the Java side, so the consumer never reads a length from memory a program could have written.
 */
public final class RingBuffer extends KeylessMap {
    public static final int HEADER_BYTES = 8;
    public static final long BUSY_BIT = 1L << 31;
    public static final long DISCARD_BIT = 1L << 30;
    public static final long BPF_RB_NO_WAKEUP = 1;
    public static final long BPF_RB_FORCE_WAKEUP = 2;

    /** A record in production order: reserved (busy), submitted, or discarded (fillers too). */
    private static final class Record {
        final long position;
        final long length;
        boolean busy = true;
        boolean discarded;

        Record(long position, long length) {
            this.position = position;
            this.length = length;
        }
    }

    private final MemorySegment data;
    private final long size;
    private long producer;
    private long consumer;
    private final ArrayDeque<Record> records = new ArrayDeque<>();
    /** Reserved records by payload address. */
    private final Map<Long, Record> reserved = new HashMap<>();

    public RingBuffer(MapDefinition definition) {
        super(definition, 16);
        this.size = definition.maxEntries();
        this.data = arena.allocate(size, 4096);
        data.fill((byte) 0);
    }

    @Override
    public void addRegions(MemoryRegions regions) {
        // Nothing: only reserved records' payloads become regions, while they are reserved.
    }

    /** What a reserved record's payload is called in the run's region table. */
    public String recordRegionName() {
        return "ring buffer '" + name() + "' record";
    }

    /** Reserves a record; returns the address of its payload, or 0 when it does not fit. */
    public synchronized long reserve(long length, long flags) {
        if (flags != 0 || length <= 0 || length > size - HEADER_BYTES) {
            return 0;
        }
        long needed = (HEADER_BYTES + length + 7) & ~7L;
        long offset = producer % size;
        long filler = offset + needed > size ? size - offset : 0;
        if (producer + filler + needed - consumer > size) {
            return 0;
        }
        if (filler > 0) {
            Record gap = new Record(producer, filler - HEADER_BYTES);
            gap.busy = false;
            gap.discarded = true;
            records.add(gap);
            NativeMemory.writeU32(data.address() + offset, (filler - HEADER_BYTES) | DISCARD_BIT);
            producer += filler;
            offset = 0;
        }
        long header = data.address() + offset;
        NativeMemory.writeU32(header, length | BUSY_BIT);
        NativeMemory.writeU32(header + 4, 0);
        Record record = new Record(producer, length);
        records.add(record);
        reserved.put(header + HEADER_BYTES, record);
        producer += needed;
        return header + HEADER_BYTES;
    }

    /** Whether an address is the payload of a record that is reserved and not yet submitted. */
    public synchronized boolean isReserved(long payload) {
        return reserved.containsKey(payload);
    }

    /** The payload length of a reserved record. */
    public synchronized long reservedLength(long payload) {
        Record record = reserved.get(payload);
        if (record == null) {
            throw new IllegalArgumentException("no reserved record at 0x" + Long.toHexString(payload));
        }
        return record.length;
    }

    /** Submits or discards a reserved record. */
    public synchronized void commit(long payload, boolean discard) {
        Record record = reserved.remove(payload);
        if (record == null) {
            throw new IllegalArgumentException("no reserved record at 0x" + Long.toHexString(payload));
        }
        record.busy = false;
        record.discarded = discard;
        NativeMemory.writeU32(payload - HEADER_BYTES, record.length | (discard ? DISCARD_BIT : 0));
    }

    /** Copies a record in and submits it; returns 0 or -EAGAIN's kernel stand-in, -ENOSPC. */
    public long output(long from, long length, long flags) {
        long payload = reserve(length, flags & ~(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP));
        if (payload == 0) {
            return -Errno.ENOSPC;
        }
        NativeMemory.copy(from, payload, length);
        commit(payload, false);
        return 0;
    }

    /** Hands every submitted record to {@code sink}, in order, until a reserved one; returns how many. */
    public synchronized int consume(Consumer<byte[]> sink) {
        int count = 0;
        while (!records.isEmpty() && !records.peekFirst().busy) {
            Record record = records.removeFirst();
            long offset = record.position % size;
            if (!record.discarded) {
                sink.accept(NativeMemory.copyOut(data.address() + offset + HEADER_BYTES, (int) record.length));
                count++;
            }
            consumer = record.position + ((HEADER_BYTES + record.length + 7) & ~7L);
        }
        return count;
    }

    /** Bytes reserved or submitted but not yet consumed. */
    public synchronized long pending() {
        return producer - consumer;
    }

    @Override
    public List<byte[]> keys() {
        return List.of();
    }
}
