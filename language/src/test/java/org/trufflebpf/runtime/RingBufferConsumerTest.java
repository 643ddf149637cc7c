package org.trufflebpf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.runtime.maps.CorruptedRingBufferException;
import org.trufflebpf.runtime.maps.RingBuffer;

/** The consumer takes lengths from the runtime's records and refuses a header in the buffer that disagrees. */
class RingBufferConsumerTest {
    @Test
    void overwrittenLengthIsReportedInsteadOfCopiedPastTheBuffer() {
        RingBuffer ring = new RingBuffer(MapDefinition.of("events", MapType.RINGBUF, 0, 0, 4096));
        try {
            ring.commit(ring.reserve(8, 0), false);
            long second = ring.reserve(8, 0);
            ring.commit(second, false);
            NativeMemory.writeU32(second - RingBuffer.HEADER_BYTES, 0x3fffffffL);
            List<byte[]> records = new ArrayList<>();
            CorruptedRingBufferException e = assertThrows(CorruptedRingBufferException.class, () -> ring.consume(records::add));
            assertEquals("ring buffer 'events': record header at offset 16 was overwritten (length 0x3fffffff exceeds the 4096-byte buffer)", e.getMessage());
            assertEquals(1, records.size(), "the intact record before it was still consumed");
        } finally {
            ring.close();
        }
    }

    @Test
    void flippedDiscardBitIsReported() {
        RingBuffer ring = new RingBuffer(MapDefinition.of("events", MapType.RINGBUF, 0, 0, 4096));
        try {
            long payload = ring.reserve(8, 0);
            ring.commit(payload, true);
            NativeMemory.writeU32(payload - RingBuffer.HEADER_BYTES, 8);
            CorruptedRingBufferException e = assertThrows(CorruptedRingBufferException.class, () -> ring.consume(record -> {
            }));
            assertEquals("ring buffer 'events': record header at offset 0 was overwritten (busy/discard bits 0x0, but the record was discarded)", e.getMessage());
        } finally {
            ring.close();
        }
    }
}
