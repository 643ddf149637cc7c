package org.trufflebpf.runtime.maps;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
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
 * <p>
 * The buffer is never a region of its own: only the payload of a reserved record is, for the run that reserved
 * it and until it is submitted or discarded. The lengths and states of records are kept here, on the Java
 * side; the headers in the buffer are only a copy, and the consumer checks that copy against them rather than
 * trusting bytes a program might have reached.
 */
public final class RingBuffer extends KeylessMap {
    public static final int HEADER_BYTES = 8;
    public static final long BUSY_BIT = 1L << 31;
    public static final long DISCARD_BIT = 1L << 30;
    public static final long BPF_RB_NO_WAKEUP = 1;
    public static final long BPF_RB_FORCE_WAKEUP = 2;

    /** One record (or filler) between consumer and producer, as the runtime made it. */
    private static final class Record {
        final long offset;
        final long length;
        boolean busy = true;
        boolean discarded;

        Record(long offset, long length) {
            this.offset = offset;
            this.length = length;
        }

        long header() {
            return length | (busy ? BUSY_BIT : 0) | (discarded ? DISCARD_BIT : 0);
        }

        long footprint() {
            return (HEADER_BYTES + length + 7) & ~7L;
        }
    }

    private final MemorySegment data;
    private final long size;
    private final ArrayDeque<Record> records = new ArrayDeque<>();
    // java.util's, named in full: this package has a HashMap of its own (the BPF map type).
    private final java.util.HashMap<Long, Record> reservedByPayload = new java.util.HashMap<>();
    private long producer;
    private long consumer;

    public RingBuffer(MapDefinition definition) {
        super(definition, 16);
        this.size = definition.maxEntries();
        this.data = memory.allocate(size, 4096);
        data.fill((byte) 0);
    }

    /** None: a run gets each record's payload as a region when it reserves it (see {@link #reserve}). */
    @Override
    public void addRegions(MemoryRegions regions) {
    }

    /** The name of a reserved record's payload region, as out-of-bounds messages show it. */
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
        // As the kernel: the producer stays less than a whole buffer ahead of the consumer (at most size - 1
        // bytes, so with 8-byte records a full ring holds size - 8), so a record that would fill it exactly fails.
        if (producer + filler + needed - consumer > size - 1) {
            return 0;
        }
        if (filler > 0) {
            Record pad = new Record(offset, filler - HEADER_BYTES);
            pad.busy = false;
            pad.discarded = true;
            append(pad);
            offset = 0;
        }
        Record record = append(new Record(offset, length));
        long payload = data.address() + offset + HEADER_BYTES;
        reservedByPayload.put(payload, record);
        return payload;
    }

    private Record append(Record record) {
        records.addLast(record);
        writeHeader(record);
        NativeMemory.writeU32(data.address() + record.offset + 4, 0);
        producer += record.footprint();
        return record;
    }

    private void writeHeader(Record record) {
        NativeMemory.writeU32(data.address() + record.offset, record.header());
    }

    /** Whether an address is the payload of a record that is reserved and not yet submitted. */
    public synchronized boolean isReserved(long payload) {
        return reservedByPayload.containsKey(payload);
    }

    public synchronized void commit(long payload, boolean discard) {
        Record record = reservedByPayload.remove(payload);
        if (record == null) {
            throw new IllegalStateException("not a reserved record: 0x" + Long.toHexString(payload));
        }
        record.busy = false;
        record.discarded = discard;
        writeHeader(record);
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

    /**
     * Adds a record written elsewhere (by a program the kernel engine ran in the kernel's own ring) as if a
     * program had reserved, filled and submitted it, or discarded it, so the host consumes it as any other.
     * Returns 0, or -ENOSPC when it does not fit.
     */
    public long addRecord(byte[] payload, boolean discarded) {
        long address = reserve(payload.length, 0);
        if (address == 0) {
            return -Errno.ENOSPC;
        }
        NativeMemory.copyIn(payload, address);
        commit(address, discarded);
        return 0;
    }

    /**
     * Hands every submitted record to {@code sink}, in order, until a reserved one; returns how many. Lengths
     * come from the runtime's own records; a header in the buffer that disagrees with them is reported as
     * {@link CorruptedRingBufferException} and nothing past it is consumed.
     */
    public synchronized int consume(Consumer<byte[]> sink) {
        int count = 0;
        while (!records.isEmpty() && !records.peekFirst().busy) {
            Record record = records.peekFirst();
            long inBuffer = NativeMemory.readU32(data.address() + record.offset);
            if (inBuffer != record.header()) {
                throw new CorruptedRingBufferException(describeCorruption(record, inBuffer));
            }
            if (!record.discarded) {
                sink.accept(NativeMemory.copyOut(data.address() + record.offset + HEADER_BYTES, (int) record.length));
                count++;
            }
            records.removeFirst();
            consumer += record.footprint();
        }
        return count;
    }

    private String describeCorruption(Record record, long inBuffer) {
        long length = inBuffer & ~(BUSY_BIT | DISCARD_BIT);
        String why;
        if (length > size - record.offset - HEADER_BYTES) {
            why = String.format("length 0x%x exceeds the %d-byte buffer", length, size);
        } else if (length != record.length) {
            why = String.format("length 0x%x, but the record holds 0x%x bytes", length, record.length);
        } else {
            why = String.format("busy/discard bits 0x%x, but the record was %s", inBuffer & (BUSY_BIT | DISCARD_BIT),
                            record.discarded ? "discarded" : "submitted");
        }
        return String.format("ring buffer '%s': record header at offset %d was overwritten (%s)", name(), record.offset, why);
    }

    /** Bytes reserved or submitted but not yet consumed (the kernel engine keeps its ring's consumer in step). */
    public synchronized long pending() {
        return producer - consumer;
    }

    @Override
    public List<byte[]> keys() {
        return List.of();
    }
}
