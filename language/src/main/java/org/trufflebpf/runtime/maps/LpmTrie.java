package org.trufflebpf.runtime.maps;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.TreeMap;

import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.runtime.MemoryRegions;
import org.trufflebpf.runtime.NativeMemory;

/**
 * LPM_TRIE with the kernel's key layout ({@code struct bpf_lpm_trie_key_u8}: a little-endian u32 prefix length,
 * then the data, most significant bit first). Lookups find the longest stored prefix that matches the key's first
 * {@code prefixlen} bits; update and delete name an entry exactly (its length and its first {@code prefixlen} bits).
 * Keys come back in the kernel's get_next_key order: a post-order walk of its binary trie, bit 0 before bit 1 and
 * longer prefixes before the shorter ones they extend, which is the order of {@link #ORDER} whatever the
 * insertion order (the kernel's trie has one shape per set of prefixes). Value slots are preallocated so program
 * pointers stay stable; a replaced entry's value is written in place (the kernel swaps in a new node).
 */
public final class LpmTrie extends BpfMap {
    /** An entry's identity: its length and its bits up to it (later bits zero). */
    private record Prefix(int length, byte[] bits) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Prefix p && p.length == length && Arrays.equals(bits, p.bits);
        }

        @Override
        public int hashCode() {
            return 31 * length + Arrays.hashCode(bits);
        }
    }

    /** A stored entry: its value slot and the key as last written (get_next_key returns those bytes). */
    private record Entry(int slot, byte[] key) {
    }

    /** Post-order of the kernel's trie: at the first differing bit 0 comes first; a prefix after its extensions. */
    private static final Comparator<Prefix> ORDER = (a, b) -> {
        int common = Math.min(a.length, b.length);
        for (int i = 0; i * 8 < common; i++) {
            int diff = (a.bits[i] ^ b.bits[i]) & 0xff;
            int left = common - i * 8;
            if (left < 8) {
                diff &= 0xff00 >>> left;
            }
            if (diff != 0) {
                int bit = Integer.highestOneBit(diff);
                return (a.bits[i] & bit) == 0 ? -1 : 1;
            }
        }
        return Integer.compare(b.length, a.length);
    };

    private final int dataSize;
    private final int maxPrefix;
    private final long stride;
    private final MemorySegment slots;
    private final TreeMap<Prefix, Entry> entries = new TreeMap<>(ORDER);
    /** How many entries each prefix length has: lookups try only lengths in use. */
    private final int[] perLength;
    private final Deque<Integer> free = new ArrayDeque<>();

    public LpmTrie(MapDefinition definition) {
        super(definition, 16);
        this.dataSize = definition.keySize() - 4;
        this.maxPrefix = dataSize * 8;
        this.perLength = new int[maxPrefix + 1];
        this.stride = roundUp8(definition.valueSize());
        this.slots = memory.allocate(stride * definition.maxEntries(), 16);
        for (int i = 0; i < definition.maxEntries(); i++) {
            free.add(i);
        }
    }

    /** The key's prefix length as the kernel reads it (unsigned; may exceed the data's bits). */
    private static long prefixLength(byte[] key) {
        return Integer.toUnsignedLong(indexOf(key));
    }

    /** The first {@code length} bits of the key's data, later bits cleared. */
    private Prefix prefix(byte[] key, int length) {
        byte[] bits = new byte[dataSize];
        System.arraycopy(key, 4, bits, 0, (length + 7) / 8);
        if (length % 8 != 0) {
            bits[length / 8] &= (byte) (0xff00 >>> (length % 8));
        }
        return new Prefix(length, bits);
    }

    private long slotAddress(int slot) {
        return slots.address() + slot * stride;
    }

    @Override
    public void addRegions(MemoryRegions regions) {
        regions.add("map '" + name() + "'", slots.address(), slots.byteSize(), true);
    }

    /** The entry with the longest prefix matching the key's first prefixlen bits, or null (Linux 6.18 finds none for a prefixlen over the data's bits). */
    private Entry longestMatch(byte[] key) {
        if (prefixLength(key) > maxPrefix) {
            return null;
        }
        int limit = (int) prefixLength(key);
        for (int length = limit; length >= 0; length--) {
            if (perLength[length] != 0) {
                Entry entry = entries.get(prefix(key, length));
                if (entry != null) {
                    return entry;
                }
            }
        }
        return null;
    }

    @Override
    public synchronized long lookup(byte[] key, int cpu) {
        Entry entry = longestMatch(key);
        return entry == null ? 0 : slotAddress(entry.slot());
    }

    /** trie_update_elem: flags, then the prefix length, then NOEXIST/EXIST against an exact entry, then room. */
    private long slotForUpdate(byte[] key, long flags) {
        if (Long.compareUnsigned(flags, BPF_EXIST) > 0 || prefixLength(key) > maxPrefix) {
            return -Errno.EINVAL;
        }
        Prefix prefix = prefix(key, (int) prefixLength(key));
        Entry entry = entries.get(prefix);
        if (entry != null) {
            if (flags == BPF_NOEXIST) {
                return -Errno.EEXIST;
            }
            entries.put(prefix, new Entry(entry.slot(), key.clone()));
            return entry.slot();
        }
        if (flags == BPF_EXIST) {
            return -Errno.ENOENT;
        }
        if (free.isEmpty()) {
            return -Errno.ENOSPC;
        }
        int fresh = free.poll();
        entries.put(prefix, new Entry(fresh, key.clone()));
        perLength[prefix.length()]++;
        return fresh;
    }

    @Override
    public synchronized long update(byte[] key, long valueAddress, long flags, int cpu) {
        long slot = slotForUpdate(key, flags);
        if (slot >= 0) {
            NativeMemory.copy(valueAddress, slotAddress((int) slot), valueSize());
        }
        return Math.min(slot, 0);
    }

    @Override
    public synchronized long delete(byte[] key) {
        if (prefixLength(key) > maxPrefix) {
            return -Errno.EINVAL;
        }
        Entry entry = entries.remove(prefix(key, (int) prefixLength(key)));
        if (entry == null) {
            return -Errno.ENOENT;
        }
        perLength[(int) prefixLength(key)]--;
        free.add(entry.slot());
        return 0;
    }

    /** As BPF_MAP_LOOKUP_ELEM on an LPM trie: the longest matching prefix's value. */
    @Override
    public synchronized byte[] get(byte[] key) {
        Entry entry = longestMatch(key);
        return entry == null ? null : NativeMemory.copyOut(slotAddress(entry.slot()), valueSize());
    }

    @Override
    public synchronized long put(byte[] key, byte[] value, long flags) {
        long slot = slotForUpdate(key, flags);
        if (slot >= 0) {
            NativeMemory.copyIn(value, slotAddress((int) slot));
        }
        return Math.min(slot, 0);
    }

    @Override
    public synchronized List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        for (Entry entry : entries.values()) {
            keys.add(entry.key().clone());
        }
        return keys;
    }
}
