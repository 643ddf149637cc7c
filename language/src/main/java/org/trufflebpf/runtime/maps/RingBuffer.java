package org.trufflebpf.runtime.maps;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Consumer;

import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.runtime.MemoryRegions;
import org.trufflebpf.runtime.NativeMemory;

/**
 * RINGBUF: programs reserve records, fill them in place and submit or discard them; the host consumes
 * submitted records in order. Each record has an 8-byte header (u32 length with BUSY and DISCARD bits, u32
 * unused) as in the kernel. The kernel maps the data pages twice so a record may wrap; here a record that
 * would wrap is preceded by a discarded filler up to the end of the buffer, so every record is contiguous.
 */
public final class RingBuffer extends KeylessMap {
    public static final int HEADER_BYTES = 8;
    public static final long BUSY_BIT = 1L << 31;
    public static final long DISCARD_BIT = 1L << 30;
    public static final long BPF_RB_NO_WAKEUP = 1;
    public static final long BPF_RB_FORCE_WAKEUP = 2;

    private final MemorySegment data;
    private final long size;
    private long producer;
    private long consumer;

    public RingBuffer(MapDefinition definition) {
        super(definition, 16);
        this.size = definition.maxEntries();
        this.data = arena.allocate(size, 4096);
        data.fill((byte) 0);
    }

    @Override
    public void addRegions(MemoryRegions regions) {
        regions.add("ring buffer '" + name() + "'", data.address(), size, true);
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
            NativeMemory.writeU32(data.address() + offset, (filler - HEADER_BYTES) | DISCARD_BIT);
            producer += filler;
            offset = 0;
        }
        long record = data.address() + offset;
        NativeMemory.writeU32(record, length | BUSY_BIT);
        NativeMemory.writeU32(record + 4, 0);
        producer += needed;
        return record + HEADER_BYTES;
    }

    /** Whether an address is the payload of a record that is reserved and not yet submitted. */
    public synchronized boolean isReserved(long payload) {
        long record = payload - HEADER_BYTES;
        if (record < data.address() || record >= data.address() + size || (record - data.address()) % 8 != 0) {
            return false;
        }
        return (NativeMemory.readU32(record) & BUSY_BIT) != 0;
    }

    public synchronized void commit(long payload, boolean discard) {
        long record = payload - HEADER_BYTES;
        long header = NativeMemory.readU32(record) & ~BUSY_BIT;
        NativeMemory.writeU32(record, discard ? header | DISCARD_BIT : header);
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
        while (consumer < producer) {
            long record = data.address() + consumer % size;
            long header = NativeMemory.readU32(record);
            if ((header & BUSY_BIT) != 0) {
                break;
            }
            long length = header & ~(BUSY_BIT | DISCARD_BIT);
            if ((header & DISCARD_BIT) == 0) {
                sink.accept(NativeMemory.copyOut(record + HEADER_BYTES, (int) length));
                count++;
            }
            consumer += (HEADER_BYTES + length + 7) & ~7L;
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
