package org.trufflebpf.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.runtime.maps.ArrayMap;
import org.trufflebpf.runtime.maps.BpfMap;
import org.trufflebpf.runtime.maps.Errno;
import org.trufflebpf.runtime.maps.HashMap;
import org.trufflebpf.runtime.maps.LoadedProgram;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.runtime.maps.ProgArray;
import org.trufflebpf.runtime.maps.RingBuffer;

/** The maps keep the kernel's semantics: flags, error numbers, stable value addresses, thread safety. */
class MapsTest {
    private static byte[] u32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    private static byte[] u64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    @Test
    void arrayEntriesExistZeroedAndCannotBeDeleted() {
        ArrayMap map = new ArrayMap(MapDefinition.of("a", MapType.ARRAY, 4, 8, 4), 1);
        assertArrayEquals(new byte[8], map.get(u32(3)));
        assertNull(map.get(u32(4)));
        assertEquals(0, map.put(u32(1), u64(7), BpfMap.BPF_ANY));
        assertEquals(-Errno.EEXIST, map.put(u32(1), u64(7), BpfMap.BPF_NOEXIST));
        assertEquals(0, map.put(u32(1), u64(9), BpfMap.BPF_EXIST));
        assertEquals(-Errno.E2BIG, map.put(u32(4), u64(1), BpfMap.BPF_ANY));
        assertEquals(-Errno.EINVAL, map.put(u32(1), u64(1), 7));
        assertEquals(-Errno.EINVAL, map.delete(u32(1)));
        assertEquals(9, NativeMemory.readU64(map.lookup(u32(1), 0)));
        map.close();
    }

    @Test
    void hashFlagsAndFullness() {
        HashMap map = new HashMap(MapDefinition.of("h", MapType.HASH, 4, 8, 2), 1);
        assertEquals(-Errno.ENOENT, map.put(u32(1), u64(1), BpfMap.BPF_EXIST));
        assertEquals(0, map.put(u32(1), u64(1), BpfMap.BPF_NOEXIST));
        assertEquals(-Errno.EEXIST, map.put(u32(1), u64(2), BpfMap.BPF_NOEXIST));
        assertEquals(0, map.put(u32(2), u64(2), BpfMap.BPF_ANY));
        assertEquals(-Errno.E2BIG, map.put(u32(3), u64(3), BpfMap.BPF_ANY), "a full preallocated hash refuses new keys");
        long address = map.lookup(u32(2), 0);
        assertEquals(0, map.put(u32(2), u64(22), BpfMap.BPF_EXIST));
        assertEquals(address, map.lookup(u32(2), 0), "an update keeps the value where a program's pointer sees it");
        assertEquals(22, NativeMemory.readU64(address));
        assertEquals(0, map.delete(u32(1)));
        assertEquals(-Errno.ENOENT, map.delete(u32(1)));
        assertEquals(0, map.lookup(u32(1), 0));
        assertEquals(0, map.put(u32(3), u64(3), BpfMap.BPF_ANY));
        assertEquals(2, map.keys().size());
        map.close();
    }

    @Test
    void lruEvictsTheLeastRecentlyUsedEntry() {
        HashMap map = new HashMap(MapDefinition.of("l", MapType.LRU_HASH, 4, 8, 2), 1);
        map.put(u32(1), u64(1), BpfMap.BPF_ANY);
        map.put(u32(2), u64(2), BpfMap.BPF_ANY);
        map.lookup(u32(1), 0); // 2 is now the least recently used
        assertEquals(0, map.put(u32(3), u64(3), BpfMap.BPF_ANY));
        assertNull(map.get(u32(2)));
        assertArrayEquals(u64(1), map.get(u32(1)));
        assertArrayEquals(u64(3), map.get(u32(3)));
        map.close();
    }

    @Test
    void perCpuMapsKeepOneValuePerCpu() {
        ArrayMap array = new ArrayMap(MapDefinition.of("pa", MapType.PERCPU_ARRAY, 4, 4, 1), 3);
        long cpu0 = array.lookup(u32(0), 0);
        long cpu2 = array.lookup(u32(0), 2);
        assertNotEquals(cpu0, cpu2);
        NativeMemory.writeU32(cpu2, 5);
        byte[] all = array.get(u32(0));
        assertEquals(24, all.length, "three CPUs, each value padded to 8 bytes");
        assertEquals(5, all[16]);
        HashMap hash = new HashMap(MapDefinition.of("ph", MapType.PERCPU_HASH, 4, 8, 4), 2);
        byte[] both = new byte[16];
        both[0] = 1;
        both[8] = 2;
        assertEquals(0, hash.put(u32(9), both, BpfMap.BPF_ANY));
        assertEquals(2, NativeMemory.readU64(hash.lookup(u32(9), 1)));
        array.close();
        hash.close();
    }

    @Test
    void progArrayTellsListenersAndKeepsNativeSlots() {
        ProgArray array = new ProgArray(new MapDefinition("p", MapType.PROG_ARRAY, 4, 4, 2, 0, null, Map.of(), false));
        List<String> events = new ArrayList<>();
        array.addListener((a, index, previous, current) -> events.add(index + ":" + (current == null ? "-" : current.name())));
        LoadedProgram program = new LoadedProgram() {
            @Override
            public String name() {
                return "x";
            }

            @Override
            public long nativeEntry() {
                return 0x1234;
            }
        };
        assertEquals(0, array.set(1, program));
        assertEquals(0x1234, NativeMemory.readU64(array.address() + ProgArray.SLOTS_OFFSET + 8));
        assertEquals(2, NativeMemory.readU32(array.address() + BpfMap.HEADER_MAX_ENTRIES));
        assertEquals(0, array.clear(1));
        assertEquals(-Errno.ENOENT, array.clear(1));
        assertEquals(0, NativeMemory.readU64(array.address() + ProgArray.SLOTS_OFFSET + 8));
        assertEquals(List.of("1:x", "1:-"), events);
        array.close();
    }

    @Test
    void ringBufferDeliversSubmittedRecordsInOrder() {
        RingBuffer ring = new RingBuffer(new MapDefinition("rb", MapType.RINGBUF, 0, 0, 4096, 0, null, Map.of(), false));
        long a = ring.reserve(5, 0);
        long b = ring.reserve(3, 0);
        NativeMemory.copyIn(new byte[] {1, 2, 3, 4, 5}, a);
        NativeMemory.copyIn(new byte[] {9, 9, 9}, b);
        List<byte[]> seen = new ArrayList<>();
        ring.commit(b, false);
        assertEquals(0, ring.consume(seen::add), "the first record is still reserved");
        ring.commit(a, false);
        assertEquals(2, ring.consume(seen::add));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, seen.get(0));
        assertArrayEquals(new byte[] {9, 9, 9}, seen.get(1));
        long discarded = ring.reserve(8, 0);
        ring.commit(discarded, true);
        assertEquals(0, ring.consume(seen::add));
        assertEquals(0, ring.reserve(5000, 0), "larger than the buffer");
        // Fill it up: records that would wrap are preceded by a filler, and a full buffer refuses.
        int records = 0;
        while (ring.reserve(1000, 0) != 0) {
            records++;
        }
        assertTrue(records >= 3 && records <= 4, "records " + records);
        ring.close();
    }

    @Test
    void aRingBufferIsFullOneByteShortOfItsSizeAsInTheKernel() {
        // The kernel keeps the producer at most size - 1 bytes ahead of the consumer: 127 records of 32 bytes
        // (24 of payload and the header) fit in 4096 bytes, the 128th would fill it exactly and does not.
        RingBuffer ring = new RingBuffer(MapDefinition.of("rb", MapType.RINGBUF, 0, 0, 4096));
        for (int i = 0; i < 127; i++) {
            long record = ring.reserve(24, 0);
            assertTrue(record != 0, "record " + i);
            ring.commit(record, false);
        }
        assertEquals(0, ring.reserve(24, 0));
        assertEquals(127, ring.consume(bytes -> { }));
        assertTrue(ring.reserve(24, 0) != 0, "room again once consumed");
        ring.close();
    }

    @Test
    void badDefinitionIsRejectedAtLoad() {
        BpfError e = assertThrows(BpfError.class,
                        () -> MapSet.create(List.of(MapDefinition.of("bad", MapType.ARRAY, 8, 4, 1)), 1, "x.s"));
        assertTrue(e.getMessage().contains("key size of an array must be 4"), e.getMessage());
    }

    @Test
    void hashMapIsSafeUnderConcurrentUpdates() throws Exception {
        HashMap map = new HashMap(MapDefinition.of("c", MapType.HASH, 4, 8, 64), 1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                for (int i = 0; i < 5000; i++) {
                    int key = thread * 16 + (i % 16);
                    map.put(u32(key), u64(i), BpfMap.BPF_ANY);
                    if (i % 3 == 0) {
                        map.delete(u32(key));
                    }
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        assertTrue(map.keys().size() <= 64);
        for (byte[] key : map.keys()) {
            assertTrue(map.get(key) != null);
        }
        map.close();
    }
}
