package org.trufflebpf.runtime.maps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.runtime.NativeMemory;

/**
 * The hash map's own index agrees, operation by operation, with a model built on {@link LinkedHashMap} (insertion
 * order, access order for LRU maps, slots handed out first-unused then oldest-freed), whether the key comes as bytes
 * or is read in place from a program's memory. (That a program's map operations allocate nothing is checked end to
 * end, in PerRunAllocationTest.)
 */
class HashMapTest {
    /** The map as it behaved before its own index: what every result, slot and key order is checked against. */
    private static final class Model {
        final LinkedHashMap<String, Integer> entries;
        final ArrayDeque<Integer> free = new ArrayDeque<>();
        final boolean lru;

        Model(boolean lru, int maxEntries) {
            this.lru = lru;
            entries = new LinkedHashMap<>(16, 0.75f, lru);
            for (int i = 0; i < maxEntries; i++) {
                free.add(i);
            }
        }

        /** The slot, or -1. */
        int lookup(String key) {
            Integer slot = entries.get(key);
            return slot == null ? -1 : slot;
        }

        /** The slot written, or a negated errno. */
        long update(String key, long flags) {
            Integer slot = entries.get(key);
            if (slot != null) {
                return flags == BpfMap.BPF_NOEXIST ? -Errno.EEXIST : slot;
            }
            if (flags == BpfMap.BPF_EXIST) {
                return -Errno.ENOENT;
            }
            if (free.isEmpty()) {
                if (!lru || entries.isEmpty()) {
                    return -Errno.E2BIG;
                }
                Map.Entry<String, Integer> eldest = entries.entrySet().iterator().next();
                entries.remove(eldest.getKey());
                free.add(eldest.getValue());
            }
            int fresh = free.poll();
            entries.put(key, fresh);
            return fresh;
        }

        long delete(String key) {
            Integer slot = entries.remove(key);
            if (slot == null) {
                return -Errno.ENOENT;
            }
            free.add(slot);
            return 0;
        }
    }

    private static void checkAgainstModel(MapType type, int keySize, int maxEntries, int distinctKeys, long seed) {
        HashMap map = new HashMap(MapDefinition.of("h", type, keySize, 8, maxEntries), 1);
        Model model = new Model(type == MapType.LRU_HASH, maxEntries);
        SplittableRandom random = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(keySize);
            MemorySegment value = arena.allocate(8);
            long base = -1;
            for (int step = 0; step < 20_000; step++) {
                byte[] bytes = new byte[keySize];
                int k = random.nextInt(distinctKeys);
                for (int i = 0; i < keySize; i++) {
                    // Keys that differ only in their last bytes, so that hashes collide and probes run long.
                    bytes[i] = (byte) (i < keySize - 2 ? 7 : k >>> (8 * (keySize - 1 - i)));
                }
                String name = HexFormat.of().formatHex(bytes);
                MemorySegment.copy(bytes, 0, key, ValueLayout.JAVA_BYTE, 0, keySize);
                boolean inPlace = random.nextBoolean();
                String where = type + " step " + step + " key " + name;
                switch (random.nextInt(4)) {
                    case 0 -> {
                        int expected = model.lookup(name);
                        long found = inPlace ? map.lookupKeyAt(key.address(), 0) : map.lookup(bytes, 0);
                        if (expected < 0) {
                            assertEquals(0, found, where);
                        } else {
                            assertEquals(base + 8L * expected, found, where);
                        }
                    }
                    case 1, 2 -> {
                        long flags = random.nextInt(3);
                        long expected = model.update(name, flags);
                        value.set(ValueLayout.JAVA_LONG, 0, step);
                        long result = inPlace ? map.updateKeyAt(key.address(), value.address(), flags, 0) : map.update(bytes, value.address(), flags, 0);
                        assertEquals(expected < 0 ? expected : 0, result, where);
                        if (expected >= 0) {
                            long found = map.lookup(bytes, 0);
                            model.lookup(name);
                            if (base < 0) {
                                base = found - 8L * expected;
                            }
                            assertEquals(base + 8L * expected, found, where);
                            assertEquals(step, NativeMemory.readU64(found), where);
                        }
                    }
                    default -> assertEquals(model.delete(name), inPlace ? map.deleteKeyAt(key.address()) : map.delete(bytes), where);
                }
                if (step % 500 == 0 || step == 19_999) {
                    List<String> keys = new ArrayList<>();
                    map.keys().forEach(b -> keys.add(HexFormat.of().formatHex(b)));
                    assertEquals(List.copyOf(model.entries.keySet()), keys, type + " key order at step " + step);
                }
            }
        } finally {
            map.close();
        }
    }

    @Test
    void aHashMapAgreesWithTheModelThroughInsertsUpdatesDeletesAndAFullMap() {
        checkAgainstModel(MapType.HASH, 4, 64, 100, 1);
        checkAgainstModel(MapType.HASH, 16, 300, 400, 2);
        checkAgainstModel(MapType.HASH, 1, 256, 256, 3);
    }

    @Test
    void anLruMapAgreesWithTheModelAndEvictsTheLeastRecentlyUsed() {
        checkAgainstModel(MapType.LRU_HASH, 4, 32, 100, 4);
        checkAgainstModel(MapType.LRU_HASH, 8, 200, 300, 5);
    }

    @Test
    void aKeyOfTheWrongSizeIsNeitherFoundNorStored() {
        HashMap map = new HashMap(MapDefinition.of("h", MapType.HASH, 4, 8, 4), 1);
        try {
            assertEquals(0, map.put(new byte[] {1, 0, 0, 0}, new byte[8], BpfMap.BPF_ANY));
            assertEquals(-Errno.EINVAL, map.put(new byte[] {1, 0, 0}, new byte[8], BpfMap.BPF_ANY));
            assertEquals(null, map.get(new byte[] {1, 0, 0, 0, 0}));
            assertEquals(1, map.keys().size());
            assertArrayEquals(new byte[] {1, 0, 0, 0}, map.keys().get(0));
        } finally {
            map.close();
        }
    }
}
