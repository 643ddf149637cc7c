package org.trufflebpf.runtime.maps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Map memory: zeroed, aligned, and kept apart from every other map's by guards that belong to no map. */
class MapMemoryTest {
    @Test
    void blocksOfDifferentMapsAreAtLeastTwoGuardsApartWhereverTheHeapPutsThem() {
        // Small blocks of many maps, some freed between, so that the C heap reuses what it freed and would otherwise
        // put blocks 8 bytes apart (an unverified overrun of one map then landed in another).
        List<MapMemory> kept = new ArrayList<>();
        List<MemorySegment> blocks = new ArrayList<>();
        for (int round = 0; round < 40; round++) {
            MapMemory dropped = new MapMemory();
            for (int i = 0; i < 8; i++) {
                dropped.allocate(8 + 8 * i, 16);
            }
            MapMemory memory = new MapMemory();
            kept.add(memory);
            for (int i = 0; i < 6; i++) {
                blocks.add(memory.allocate(1 + 7 * ((round + i) % 9), 16));
            }
            dropped.close();
        }
        blocks.sort(Comparator.comparingLong(MemorySegment::address));
        for (int i = 1; i < blocks.size(); i++) {
            MemorySegment low = blocks.get(i - 1);
            MemorySegment high = blocks.get(i);
            long gap = high.address() - (low.address() + low.byteSize());
            assertTrue(gap >= 2 * MapMemory.GUARD_BYTES, "blocks at 0x" + Long.toHexString(low.address()) + " (" + low.byteSize() + " bytes) and 0x"
                            + Long.toHexString(high.address()) + " are " + gap + " bytes apart");
        }
        kept.forEach(MapMemory::close);
    }

    @Test
    void aBlockIsZeroedAndKeepsTheAlignmentAskedFor() {
        MapMemory memory = new MapMemory();
        try {
            MemorySegment page = memory.allocate(4096, 4096);
            MemorySegment small = memory.allocate(24, 16);
            assertEquals(0, page.address() % 4096);
            assertEquals(0, small.address() % 16);
            assertEquals(4096, page.byteSize());
            assertEquals(24, small.byteSize());
            for (long i = 0; i < page.byteSize(); i++) {
                assertEquals(0, page.get(ValueLayout.JAVA_BYTE, i));
            }
            for (long i = 0; i < small.byteSize(); i++) {
                assertEquals(0, small.get(ValueLayout.JAVA_BYTE, i));
            }
        } finally {
            memory.close();
        }
    }
}
