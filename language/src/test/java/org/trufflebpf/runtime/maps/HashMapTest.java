package org.trufflebpf.runtime.maps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
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
        // Keys are hashed and compared by 8, 4 and 1 bytes: 13 takes all three steps, 6 the last two.
        checkAgainstModel(MapType.HASH, 13, 200, 300, 6);
        checkAgainstModel(MapType.HASH, 6, 100, 150, 7);
    }

    @Test
    void anLruMapAgreesWithTheModelAndEvictsTheLeastRecentlyUsed() {
        checkAgainstModel(MapType.LRU_HASH, 4, 32, 100, 4);
        checkAgainstModel(MapType.LRU_HASH, 8, 200, 300, 5);
    }

    @Test
    void keysOfOneHashThatDifferInAnyPartAreDifferentKeys() {
        // Keys are compared by 8, 4 and 1 bytes after their hashes: two keys of the same hash that differ only in
        // a 13-byte key's first word, only in its half word, or only in a 3-byte key's bytes must stay apart.
        checkCollidingKeysStayApart(13, 0, 8);
        checkCollidingKeysStayApart(13, 8, 12);
        checkCollidingKeysStayApart(3, 0, 3);
    }

    /** Finds two keys of one hash that differ only in bytes [from, to), then uses both. */
    private static void checkCollidingKeysStayApart(int keySize, int from, int to) {
        HashMap map = new HashMap(MapDefinition.of("h", MapType.HASH, keySize, 8, 4), 1);
        try {
            byte[][] pair = collidingKeys(map, keySize, from, to);
            assertEquals(map.hashOf(pair[0]), map.hashOf(pair[1]), "the search found keys of one hash");
            byte[] one = {1, 0, 0, 0, 0, 0, 0, 0};
            byte[] two = {2, 0, 0, 0, 0, 0, 0, 0};
            assertEquals(0, map.put(pair[0], one, BpfMap.BPF_ANY));
            assertEquals(null, map.get(pair[1]), "bytes [" + from + ", " + to + ") tell the keys apart");
            assertEquals(0, map.put(pair[1], two, BpfMap.BPF_ANY));
            assertArrayEquals(one, map.get(pair[0]));
            assertArrayEquals(two, map.get(pair[1]));
            assertEquals(0, map.delete(pair[0]));
            assertEquals(null, map.get(pair[0]));
            assertArrayEquals(two, map.get(pair[1]));
        } finally {
            map.close();
        }
    }

    /** A birthday search over keys that count up in bytes [from, to) (wrapping within them), all else 7. */
    private static byte[][] collidingKeys(HashMap map, int keySize, int from, int to) {
        Map<Integer, byte[]> seen = new java.util.HashMap<>();
        int bits = Math.min(8 * (to - from), 31);
        for (long n = 0; n < (1L << bits); n++) {
            byte[] key = new byte[keySize];
            Arrays.fill(key, (byte) 7);
            for (int i = from; i < to; i++) {
                key[i] = (byte) (n >>> (8 * (i - from)));
            }
            byte[] earlier = seen.putIfAbsent(map.hashOf(key), key);
            if (earlier != null) {
                return new byte[][] {earlier, key};
            }
        }
        throw new AssertionError("no two keys of one hash differ only in bytes [" + from + ", " + to + ")");
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
